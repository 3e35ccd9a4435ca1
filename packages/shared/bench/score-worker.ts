/**
 * One scoring job for bench:score, in its own process so its peak RSS is its own:
 * the CLI's scoreFile (parse, features, rules, ONNX, explanations, write) on one file.
 * Prints one JSON line: rows, seconds, peakRssMb, cpuSeconds.
 */
import { Writable } from 'node:stream'
import { loadDefaultModel } from '../src/node/default-model.ts'
import { scoreFile } from '../src/node/cli/score-command.ts'

const [input, output] = process.argv.slice(2)
if (!input || !output) throw new Error('usage: score-worker.ts INPUT OUTPUT')
const started = performance.now()
const cpu0 = process.cpuUsage()
// As the CLI runs it: ONNX Runtime on a worker thread (ANOMALYZE_ONNX_WORKER=0: this thread).
const model = await loadDefaultModel(undefined, { worker: process.env.ANOMALYZE_ONNX_WORKER !== '0' })
const quiet = Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY: false }) as unknown as NodeJS.WriteStream
const result = await scoreFile({ input, output, model, stderr: quiet })
await model.scorer.close()
const seconds = (performance.now() - started) / 1000
// Process-wide: includes the ONNX worker thread.
const cpu = process.cpuUsage(cpu0)
process.stdout.write(
  `${JSON.stringify({ rows: result.rows, seconds: Number(seconds.toFixed(2)), peakRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)) })}\n`,
)
