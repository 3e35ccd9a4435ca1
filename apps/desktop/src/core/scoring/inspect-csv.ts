import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { AppError } from '@anomalyze/shared'
import { resolveColumnMapping } from '@anomalyze/shared/engine'
import type { CsvInspection, FieldMapping } from '../../contract/scoring.ts'
import { binaryFileProblem, csvRecords } from '@anomalyze/shared/node'
import { mappingErrors } from '../../contract/mapping-errors.ts'

// Enough for a header and a handful of rows of any sane export.
const HEAD_BYTES = 64 << 10
const SAMPLE_ROWS = 5

/**
 * Reads only the top of the file: header, a few rows, and the proposed mapping (the
 * one the analyst confirmed for this header row before, else the shared auto-detection).
 * An empty file, or one with a header and no rows, is refused here: before any batch
 * exists, so nothing is left behind. Messages name the file as the analyst knows it
 * (`name`: an upload is stored under a random id).
 */
export async function inspectCsv(path: string, remembered: (headers: string[]) => FieldMapping | null, name = basename(path)): Promise<CsvInspection> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new AppError('NOT_FOUND', `cannot open ${name}: ${error.code ?? error.message}`)
  })
  const handle = await open(path, 'r')
  let head: Buffer
  try {
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, info.size))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    head = buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
  if (head.length === 0) throw new AppError('BAD_INPUT', `${name} is empty: there is no header row and no transactions to score`)
  const binary = binaryFileProblem(head.subarray(0, 4096))
  if (binary !== null) throw new AppError('BAD_INPUT', `${name}: ${binary}`)
  // The last line of the head may be cut in half: drop it unless the file ended.
  const text = head.toString('utf8')
  const usable = info.size > head.length ? text.slice(0, Math.max(text.lastIndexOf('\n'), 0)) : text
  const records = []
  for await (const batch of csvRecords([usable])) {
    records.push(...batch)
    if (records.length > SAMPLE_ROWS) break
  }
  const header = records[0]
  if (header === undefined || header.error !== undefined || header.values.length === 0) {
    throw new AppError('BAD_INPUT', `${name}: the header row is unreadable${header?.error === undefined ? '' : ` (${header.error})`}`)
  }
  const dataRows = records.slice(1).filter((r) => r.values.some((v) => v.trim() !== ''))
  // Only decidable when the whole file was read (a header longer than the head is not a concern).
  if (dataRows.length === 0 && info.size <= head.length) {
    throw new AppError('BAD_INPUT', `${name} has a header row but no transactions: there is nothing to score`)
  }
  const headers = header.values
  const saved = remembered(headers)
  const mapping: FieldMapping = saved ?? resolveColumnMapping(headers).mapping
  return {
    fileName: name,
    sizeBytes: info.size,
    headers,
    sample: records.slice(1, SAMPLE_ROWS + 1).map((r) => r.values),
    mapping,
    remembered: saved !== null,
    errors: mappingErrors(mapping, headers.length),
  }
}
