// anomalyze: score or train from CSV files. Exit codes: 0 clean, 1 some rows rejected,
// 2 the job could not run (bad usage, unreadable file, unusable model).
import { isAbsolute, resolve } from 'node:path'
import { CsvInputError } from '../csv/read-transactions-csv.ts'
import { loadDefaultModel } from '../default-model.ts'
import { loadModelArtifact, ModelArtifactError } from '../model-artifact.ts'
import { lastOption, parseArgs, UsageError } from './args.ts'
import { invocationDir } from './env.ts'
import { HELP, SCORE_HELP, TRAIN_HELP } from './help.ts'
import { scoreFile, type ScoreFileResult } from './score-command.ts'
import { trainFile } from './train-command.ts'

// Relative paths are the user's: from the folder they ran the command in.
const userPath = (p: string): string => (isAbsolute(p) ? p : resolve(invocationDir(), p))

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP)
    return command === undefined ? 2 : 0
  }
  if (command === 'score') {
    const args = parseArgs(rest, ['model', 'map', 'out', 'errors'], ['help'])
    if (args.flags.has('help')) {
      process.stdout.write(SCORE_HELP)
      return 0
    }
    const [input, ...extra] = args.positionals
    if (!input || extra.length > 0) throw new UsageError('score needs exactly one CSV file')
    const modelDir = lastOption(args, 'model')
    // The model runs on a worker thread, overlapping with parsing and features here.
    const model = modelDir ? await loadModelArtifact(userPath(modelDir), { worker: true }) : await loadDefaultModel(undefined, { worker: true })
    const out = lastOption(args, 'out')
    const errors = lastOption(args, 'errors')
    // Closed on every path: a live worker thread would keep the process from exiting.
    let result: ScoreFileResult
    try {
      result = await scoreFile({
        input: userPath(input),
        model,
        mappings: args.options.get('map') ?? [],
        ...(out ? { output: userPath(out) } : {}),
        ...(errors ? { errors: userPath(errors) } : {}),
      })
    } finally {
      await model.scorer.close()
    }
    const s = result.bySeverity
    process.stderr.write(
      `${result.scored} scored (CRITICAL ${s.CRITICAL}, HIGH ${s.HIGH}, MEDIUM ${s.MEDIUM}, LOW ${s.LOW}), ${result.rejected} rejected; model ${model.manifest.version}${modelDir ? '' : ' (built-in default)'}\n`,
    )
    return result.rejected > 0 ? 1 : 0
  }
  if (command === 'train') {
    const args = parseArgs(rest, ['label', 'out', 'map', 'version'], ['help'])
    if (args.flags.has('help')) {
      process.stdout.write(TRAIN_HELP)
      return 0
    }
    const [input, ...extra] = args.positionals
    const label = lastOption(args, 'label')
    if (!input || extra.length > 0) throw new UsageError('train needs exactly one CSV file')
    if (!label) throw new UsageError('train needs --label COLUMN')
    const outDir = userPath(lastOption(args, 'out') ?? 'model')
    const version = lastOption(args, 'version')
    const result = await trainFile({
      input: userPath(input),
      labelColumn: label,
      outDir,
      mappings: args.options.get('map') ?? [],
      ...(version ? { version } : {}),
    })
    const m = result.metrics
    const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3))
    process.stderr.write(
      `model ${result.manifest.version} written to ${outDir}: ${m.rows} rows, ${m.frauds ?? 0} frauds, ${result.manifest.supervised ? 'supervised + isolation forest' : 'isolation forest only (too few labels)'}; holdout AUC ${fmt(m.holdoutAucRoc)}, AP ${fmt(m.holdoutAveragePrecision)}; ${result.rejected} rows rejected\n`,
    )
    return result.rejected > 0 ? 1 : 0
  }
  throw new UsageError(`unknown command "${command}" (try --help)`)
}

try {
  process.exitCode = await run(process.argv.slice(2))
} catch (error) {
  if (error instanceof UsageError || error instanceof CsvInputError || error instanceof ModelArtifactError) {
    process.stderr.write(`anomalyze: ${error.message}\n`)
  } else {
    const e = error as NodeJS.ErrnoException
    process.stderr.write(`anomalyze: ${e.code === 'ENOENT' ? `no such file: ${e.path}` : (e.message ?? String(error)).split('\n')[0]}\n`)
  }
  process.exitCode = 2
}
