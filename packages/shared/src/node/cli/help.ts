export const HELP = `anomalyze: score transaction CSVs for anomalies, or train a model

usage:
  anomalyze score <file.csv> [--model DIR] [--map col=field ...] [--out scored.csv] [--errors errors.csv]
  anomalyze train <file.csv> --label COLUMN [--out DIR] [--map col=field ...] [--version X.Y.Z]
  anomalyze <command> --help

exit codes: 0 all rows fine, 1 some rows rejected (the rest done), 2 could not run
`

export const SCORE_HELP = `anomalyze score <file.csv> [options]

Streams the file (any size) through column mapping, features, rules and the model,
and writes it back with four columns added: score (0..1), severity (LOW, MEDIUM,
HIGH, CRITICAL), rules (fired rule names, ';'-separated) and explanation (one
sentence, for MEDIUM and above). Rows are taken in file order.

options:
  --model DIR        model directory (manifest.json + model.onnx + model.json);
                     default: the built-in model trained on generated data
  --map col=field    map a column to a field; repeatable. Fields: txId, timestamp,
                     timestampHours, amount, currency, accountId, merchantId,
                     category, country, channel, latitude, longitude, label.
                     Common names (TX_AMOUNT, CUSTOMER_ID, nameOrig, step...) are
                     detected automatically.
  --out FILE         scored CSV (default: stdout)
  --errors FILE      CSV of rejected rows: line, field, reason
  -h, --help         this help

Rejected rows (bad date, non-numeric amount, wrong column count...) are reported
with their line number on stderr and in --errors; the rest are still scored and
the exit code is 1. Progress goes to stderr.
`

export const TRAIN_HELP = `anomalyze train <file.csv> --label COLUMN [options]

Trains an isolation forest (no labels needed) and, when the label column holds
enough frauds, gradient-boosted trees, then writes model.onnx, model.json and
manifest.json (version, features, thresholds, metrics, sha256) to --out.
Severity thresholds are set so that about 2% of rows are MEDIUM or above, 0.5%
HIGH or above and 0.1% CRITICAL. The most recent 20% of rows are held out to
report AUC ROC and average precision.

options:
  --label COLUMN     column with the fraud label (1/0, true/false, yes/no)
  --out DIR          output directory (default: ./model)
  --map col=field    as for score; repeatable
  --version X.Y.Z    model version to record (default 1.0.0)
  -h, --help         this help
`
