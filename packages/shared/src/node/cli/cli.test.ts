import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateTransactions } from '../../generator/generate-transactions.ts'

const BIN = fileURLToPath(new URL('../../../bin/anomalyze.mjs', import.meta.url))
let dir = ''
const HEADER = 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD'

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, INIT_CWD: dir } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anomalyze-cli-'))
  const lines = [HEADER]
  for (const g of generateTransactions({ seed: 5, customers: 200, terminals: 200, days: 30 })) {
    const t = g.transaction
    lines.push([t.txId, new Date(t.timestamp).toISOString().replace('T', ' ').slice(0, 19), t.accountId, t.merchantId, t.amount, g.isFraud ? 1 : 0].join(','))
  }
  await writeFile(join(dir, 'train.csv'), `${lines.join('\n')}\n`)
  await writeFile(
    join(dir, 'bad.csv'),
    `${HEADER}\n1,2018-04-01 00:00:31,596,3156,57.16,0\n2,2018-13-01 00:01:00,5,6,1,0\n3,2018-04-01 00:02:00,5,6\n4,2018-04-01 00:03:00,5,6,1e3,0\n`,
  )
  await writeFile(join(dir, 'empty.csv'), '')
  await writeFile(join(dir, 'binary.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

describe('anomalyze CLI', () => {
  it('prints help for both commands', () => {
    expect(cli('score', '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('--errors FILE') })
    expect(cli('train', '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('--label COLUMN') })
  })

  it('trains a model and scores with it, writing the four output columns', async () => {
    const train = cli('train', 'train.csv', '--label', 'TX_FRAUD', '--out', 'my-model')
    expect(train.stderr).toContain('supervised + isolation forest')
    expect(train.status).toBe(0)
    const score = cli('score', 'train.csv', '--model', 'my-model', '--out', 'scored.csv')
    expect(score.status).toBe(0)
    const lines = (await readFile(join(dir, 'scored.csv'), 'utf8')).trim().split('\n')
    expect(lines[0]).toBe(`${HEADER},score,severity,rules,explanation`)
    expect(lines.length).toBeGreaterThan(1000)
    const critical = lines.filter((l) => l.includes(',CRITICAL,'))
    expect(critical.length).toBeGreaterThan(0)
    expect(critical[0]).toMatch(/Score \d\.\d\d \(CRITICAL\): /)
  })

  it('scores good rows, reports bad ones with line numbers and exits 1', async () => {
    const r = cli('score', 'bad.csv', '--out', 'bad-scored.csv', '--errors', 'errors.csv')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('line 3: timestamp: not a date: "2018-13-01 00:01:00"')
    expect(r.stderr).toContain('line 4: row: expected 6 columns, got 4')
    expect((await readFile(join(dir, 'errors.csv'), 'utf8')).trim().split('\n')).toEqual([
      'line,field,reason',
      '3,timestamp,"not a date: ""2018-13-01 00:01:00"""',
      '4,row,"expected 6 columns, got 4"',
    ])
    expect((await readFile(join(dir, 'bad-scored.csv'), 'utf8')).trim().split('\n')).toHaveLength(3)
  })

  it('fails with one line and exit 2 on empty, binary or missing files and bad models', async () => {
    for (const args of [['score', 'empty.csv'], ['score', 'binary.csv'], ['score', 'nope.csv'], ['score', 'bad.csv', '--model', 'nowhere'], ['frobnicate']]) {
      const r = cli(...args)
      expect(r.status).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^anomalyze: /)
    }
    await writeFile(join(dir, 'my-model', 'model.onnx'), 'garbage')
    const corrupt = cli('score', 'bad.csv', '--model', 'my-model')
    expect(corrupt).toMatchObject({ status: 2, stderr: expect.stringContaining('does not match the sha256') })
  })
})
