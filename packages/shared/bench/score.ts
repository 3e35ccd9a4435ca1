/**
 * End-to-end scoring speed and memory: the CLI's job (parse, features, rules, ONNX,
 * explanations, write) on the handbook file, next to pandas + scikit-learn doing the
 * same read-features-score-write job in the same run, then on a 10x larger file
 * (rows repeated with new ids, shifted in time) to show memory stays flat.
 * Local files only; every child process has a time limit.
 *
 *   pnpm bench:score [--data FILE] [--skip-10x]
 */
import { spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { csvRecords } from '../src/node/csv/csv-records.ts'
import { writeWithBackpressure } from '../src/node/cli/csv-writer.ts'

interface Run {
  rows: number
  seconds: number
  peakRssMb: number
  /** User + system CPU of the job, all its threads. */
  cpuSeconds?: number
}

const args = process.argv.slice(2)
const arg = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const here = fileURLToPath(new URL('.', import.meta.url))
const dataPath = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  arg('--data') ?? resolve(here, '../../../../shared/data/fraud-handbook/transactions-2018-04-to-05.csv'),
)
const TIME_LIMIT_MS = 15 * 60_000
if (!existsSync(dataPath)) {
  process.stdout.write(`bench:score skipped: ${dataPath} not found\n`)
  process.exit(0)
}

function runJson(command: string, commandArgs: string[]): Run | string {
  const r = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: TIME_LIMIT_MS, maxBuffer: 1 << 20 })
  if (r.error) return `could not run: ${r.error.message}`
  if (r.status !== 0) return `failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().split('\n').pop() ?? ''}`
  const last = r.stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(last) as Run
}

const ours = (input: string, output: string): Run | string => runJson(process.execPath, ['--import', 'tsx', join(here, 'score-worker.ts'), input, output])

function baseline(input: string, output: string): Run | string {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
  const probe = spawnSync(python, ['-c', 'import pandas, sklearn'], { encoding: 'utf8', timeout: 60_000 })
  if (probe.status !== 0) return 'skipped: pandas/scikit-learn missing (apt-get install -y python3-pandas python3-sklearn)'
  return runJson(python, [join(here, 'baseline-sklearn.py'), input, output])
}

/** The file repeated `times` times: new TRANSACTION_IDs, timestamps shifted past the previous copy. */
async function enlarge(input: string, output: string, times: number): Promise<void> {
  const out = createWriteStream(output)
  let header = ''
  let lastMs = 0
  let firstMs = Number.POSITIVE_INFINITY
  let rows = 0
  for (let copy = 0; copy < times; copy += 1) {
    // Each copy starts on the day after the previous one ends.
    const shift = copy === 0 ? 0 : copy * (Math.floor((lastMs - firstMs) / 86_400_000) + 1) * 86_400_000
    let n = 0
    for await (const batch of csvRecords(createReadStream(input, { highWaterMark: 1 << 20 }))) {
      let text = ''
      for (const r of batch) {
        if (!header) {
          header = r.raw
          text += `${header}\n`
          continue
        }
        if (r.line === 1) continue
        const v = r.values
        const ms = Date.parse(`${(v[1] as string).replace(' ', 'T')}Z`)
        if (copy === 0) {
          firstMs = Math.min(firstMs, ms)
          lastMs = Math.max(lastMs, ms)
        }
        v[0] = String(rows + n)
        v[1] = new Date(ms + shift).toISOString().slice(0, 19).replace('T', ' ')
        n += 1
        text += `${v.join(',')}\n`
      }
      await writeWithBackpressure(out, text)
    }
    rows += n
  }
  out.end()
  await new Promise<void>((done) => out.on('finish', () => done()))
}

const fmt = (r: Run | string): string =>
  typeof r === 'string'
    ? `| ${r} | | | | |`
    : `| ${r.rows.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} s | ${Math.round(r.rows / r.seconds).toLocaleString('en-US')} | ${r.cpuSeconds === undefined ? '' : `${r.cpuSeconds.toFixed(1)} s`} | ${r.peakRssMb.toFixed(0)} MB |`

const work = await mkdtemp(join(tmpdir(), 'anomalyze-bench-'))
try {
  process.stdout.write(
    `data: ${dataPath} (${((await stat(dataPath)).size / 1e6).toFixed(0)} MB)\n\n| job | rows | time | rows/s | CPU | peak RSS |\n|---|---|---|---|---|---|\n`,
  )
  const a = ours(dataPath, join(work, 'ours.csv'))
  process.stdout.write(`| anomalyze score (TS + ONNX Runtime; main thread + 1 ONNX worker thread) ${fmt(a)}\n`)
  const b = baseline(dataPath, join(work, 'baseline.csv'))
  process.stdout.write(`| pandas + scikit-learn IsolationForest (single-threaded) ${fmt(b)}\n`)
  if (!args.includes('--skip-10x')) {
    const big = join(work, 'big.csv')
    await enlarge(dataPath, big, 10)
    await rm(join(work, 'ours.csv'), { force: true })
    const c = ours(big, join(work, 'ours-big.csv'))
    process.stdout.write(`| anomalyze score, file 10x larger (${((await stat(big)).size / 1e6).toFixed(0)} MB) ${fmt(c)}\n`)
  }
  if (typeof a !== 'string' && typeof b !== 'string') {
    const cpu = a.cpuSeconds !== undefined && b.cpuSeconds !== undefined ? `; CPU time: ${(b.cpuSeconds / a.cpuSeconds).toFixed(1)}x less` : ''
    process.stdout.write(`\nspeed-up vs baseline: ${(a.rows / a.seconds / (b.rows / b.seconds)).toFixed(1)}x (wall time, rows/s)${cpu}\n`)
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
