// Refreshes the shipped default model: `pnpm --filter @anomalyze/shared model:default`.
// Run it whenever FEATURE_NAMES or the trainers change (a test fails until you do).
import { DEFAULT_MODEL_DIR, writeDefaultModel } from './default-model.ts'

await writeDefaultModel(DEFAULT_MODEL_DIR)
process.stdout.write(`default model written to ${DEFAULT_MODEL_DIR}\n`)
