import { Transform, type TransformCallback } from 'node:stream'
import { AppError } from '@anomalyze/shared'

/**
 * Passes bytes through unchanged while counting non-empty lines and enforcing a size
 * limit: the upload learns its row count (for progress) in the same single pass that
 * stores it, without holding the file.
 */
export class LineCounter extends Transform {
  bytes = 0
  lines = 0
  private lineHasContent = false

  constructor(private readonly maxBytes: number) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    if (this.bytes > this.maxBytes) {
      callback(
        new AppError('BAD_INPUT', `The file is larger than the ${Math.round(this.maxBytes / 1024 / 1024)} MB upload limit: split it into several batch jobs.`, {
          limitBytes: this.maxBytes,
        }),
      )
      return
    }
    let start = 0
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      if (this.lineHasContent || hasContent(chunk, start, nl)) this.lines += 1
      this.lineHasContent = false
      start = nl + 1
    }
    if (hasContent(chunk, start, chunk.length)) this.lineHasContent = true
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (this.lineHasContent) this.lines += 1
    this.lineHasContent = false
    callback()
  }
}

/** Anything but a lone carriage return counts (CRLF files). */
function hasContent(chunk: Buffer, start: number, end: number): boolean {
  return end - start > 1 || (end - start === 1 && chunk[start] !== 13)
}
