/**
 * The shared engine's CSV record reader is not exported from `@anomalyze/shared/node`
 * yet (only the ONNX scorer and model artifacts are), nor is the CLI's CSV line writer. Until it is, this is the one
 * place the console reaches into the package's source; everything else imports from
 * here, so the switch to a package export is a one-line change.
 * TODO: replace with exports of csv/csv-records.ts and cli/csv-writer.ts from shared/src/node/index.ts.
 */
export { csvRecords, type CsvRecord } from '../../../../../packages/shared/src/node/csv/csv-records.ts'
export { csvLine } from '../../../../../packages/shared/src/node/cli/csv-writer.ts'
