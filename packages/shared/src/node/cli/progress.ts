/**
 * Progress on stderr: a live line on a terminal, otherwise one line every
 * `everyRows` rows so logs of long jobs stay readable and small.
 */
export interface Progress {
  update(rows: number): void
  done(rows: number): void
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr, everyRows = 100_000): Progress {
  const started = Date.now()
  const tty = stream.isTTY === true
  let lastDraw = 0
  let nextLine = everyRows
  const text = (rows: number): string => {
    const seconds = (Date.now() - started) / 1000
    return `${label}: ${rows.toLocaleString('en-US')} rows, ${Math.round(rows / Math.max(seconds, 1e-3)).toLocaleString('en-US')} rows/s`
  }
  return {
    update(rows) {
      if (tty) {
        const now = Date.now()
        if (now - lastDraw < 200) return
        lastDraw = now
        stream.write(`\r${text(rows)}\u001b[K`)
      } else if (rows >= nextLine) {
        nextLine = (Math.floor(rows / everyRows) + 1) * everyRows
        stream.write(`${text(rows)}\n`)
      }
    },
    done(rows) {
      stream.write(tty ? `\r${text(rows)}\u001b[K\n` : `${text(rows)}\n`)
    },
  }
}
