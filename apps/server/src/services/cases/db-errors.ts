/**
 * Database failures a case action answers rather than reports: a unique violation (two
 * pushes of one mutation racing) and a deadlock or serialisation failure (retried).
 * Prisma wraps them (P2002, P2034); through the pg adapter the SQLSTATE may also come
 * as the cause's `code`.
 */
const codeOf = (error: unknown): string | undefined => (typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined)

function codes(error: unknown): string[] {
  const found: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    const code = codeOf(current)
    if (code !== undefined) found.push(code)
    const meta = (current as { meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } }).meta
    const original = meta?.driverAdapterError?.cause
    if (original?.originalCode) found.push(original.originalCode)
    if (original?.kind) found.push(original.kind)
    current = (current as { cause?: unknown }).cause
  }
  return found
}

export function isUniqueViolation(error: unknown): boolean {
  return codes(error).some((c) => c === 'P2002' || c === '23505' || c === 'UniqueConstraintViolation')
}

export function isRetryableConflict(error: unknown): boolean {
  return codes(error).some((c) => c === 'P2034' || c === '40P01' || c === '40001' || c === 'TransactionWriteConflict')
}
