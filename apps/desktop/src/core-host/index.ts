import { serveCore, type MessageEnd } from './protocol.ts'
import { createHostCore, servedCore } from './host-core.ts'

/**
 * The core host: a utility process Electron's main process forks (utilityProcess.fork)
 * so the SQLite cache and ONNX scoring never run on the thread that draws the windows.
 * It serves the core over `process.parentPort` (protocol.ts). Imported in plain Node
 * (no parentPort), it only exports the core's factory: the packaged-layout test uses it.
 */
export { bundledAssets, createHostCore } from './host-core.ts'

const parentPort = (process as { parentPort?: Electron.ParentPort }).parentPort
if (parentPort !== undefined) {
  // What this process creates in userData (cache, uploads, exports) is owner-only even
  // where a module sets no mode.
  if (process.platform !== 'win32') process.umask(0o077)
  const end: MessageEnd = {
    postMessage: (message) => parentPort.postMessage(message),
    onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
  }
  serveCore(
    end,
    (options) => servedCore(createHostCore(options)),
    () => process.exit(0),
  )
}
