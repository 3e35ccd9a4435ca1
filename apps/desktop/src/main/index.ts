import { join, resolve } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, shell, utilityProcess } from 'electron'
import { DEEP_LINK_SCHEME, deepLinkInArgv, type DeepLinkTarget } from '../contract/deep-link.ts'
import type { CoreResult } from '../contract/result.ts'
import { connectCoreHost, type CoreHostClient } from '../core-host/protocol.ts'
import { readDesktopEnv } from '../env.ts'
import { DEEP_LINK_CHANNEL, DEEP_LINK_READY_CHANNEL, DIALOG_CHANNEL, IPC_CHANNEL } from '../preload/channel.ts'
import { DeepLinkInbox } from './deep-link-inbox.ts'
import { keychainSessionKey } from './safe-storage-protector.ts'

/**
 * The Electron shell: one window and one IPC channel that forwards to the core. The
 * core (src/core, plain Node, which the browser mode serves as well) runs in a utility
 * process (src/core-host): a call of hundreds of ms there never freezes a window. This
 * process holds no SQLite or ONNX code.
 */
let core: CoreHostClient | null = null
const deepLinks = new DeepLinkInbox()
const env = readDesktopEnv()

/** Forks the core host (out/main/core-host.js, beside this file) and starts the core in it. */
function startCoreHost(): CoreHostClient {
  const child = utilityProcess.fork(join(import.meta.dirname, 'core-host.js'), [], { serviceName: 'Anomalyze core', stdio: 'inherit' })
  const client = connectCoreHost({
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
  })
  child.once('exit', (code) => client.fail(`The console's core stopped (exit code ${code}); restart the app.`))
  const dataDir = app.getPath('userData')
  void client
    .start({
      dataDir,
      autoSyncMs: 60_000,
      sessionKey: keychainSessionKey(dataDir),
      config: { clerkPublishableKey: env.clerkPublishableKey ?? null, defaultServerUrl: env.serverUrl ?? null },
    })
    .then((result) => {
      if (result.error !== undefined) console.error(`[anomalyze] the core did not start: ${result.error.message}`)
    })
  return client
}

// One console per user: a second launch (Windows and Linux start one for a clicked
// anomalyze:// link) passes its arguments to this one through 'second-instance' and ends.
const primary = app.requestSingleInstanceLock()
if (!primary) app.exit(0)

// The OS opens anomalyze:// links with this app. Unpackaged (electron .), the
// registration must name the script too, or the link would start a bare Electron.
if (process.defaultApp && process.argv[1] !== undefined) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [resolve(process.argv[1])])
else app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)

/** A link from the OS: queue its anomaly or case for the renderer and bring the window forward. */
function openDeepLink(link: string): void {
  if (deepLinks.receive(link) === null) {
    console.warn(`Ignored a link that is not an anomaly or case link: ${link.slice(0, 200)}`)
    return
  }
  if (!app.isReady()) return // the window opens at ready and picks the link up
  const window = BrowserWindow.getAllWindows()[0]
  if (window === undefined) {
    createWindow()
    return
  }
  if (window.isMinimized()) window.restore()
  window.focus()
}

// macOS delivers links as events, possibly before 'ready' (a cold start from a click).
app.on('open-url', (event, url) => {
  event.preventDefault()
  openDeepLink(url)
})
app.on('second-instance', (_event, argv) => {
  const link = deepLinkInArgv(argv)
  if (link !== null) openDeepLink(link)
  else BrowserWindow.getAllWindows()[0]?.focus()
})
// Windows and Linux: a cold start from a link has it among this process's arguments.
const launchLink = deepLinkInArgv(process.argv)
if (launchLink !== null) deepLinks.receive(launchLink)

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    show: false,
    title: 'Anomalyze',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  })
  window.once('ready-to-show', () => window.show())
  // No pop-ups: links to the outside open in the user's browser, nothing else opens.
  window.webContents.setWindowOpenHandler(({ url }) => {
    // https anywhere; plain http only to this machine (a local server's download links).
    if (url.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event) => event.preventDefault())

  const devUrl = env.rendererUrl
  if (devUrl !== undefined && !app.isPackaged) void window.loadURL(devUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
}

void app.whenReady().then(() => {
  if (!primary) return
  // Belt and braces: what this process creates in userData (the sealed session key) is
  // owner-only; the core host sets the same umask for the cache, uploads and exports.
  if (process.platform !== 'win32') process.umask(0o077)
  const current = startCoreHost()
  core = current
  // The core host answers unknown methods with NOT_FOUND; a method that is no string never leaves here.
  ipcMain.handle(IPC_CHANNEL, async (_event, method: unknown, args: unknown): Promise<CoreResult<unknown>> => {
    if (typeof method !== 'string') return { error: { code: 'NOT_FOUND', message: `No method ${String(method)}` } }
    return current.call(method, args)
  })
  // Native file dialogs for offline scoring: the core then reads the file in place. A
  // path the analyst picks here is the only kind outside its data dir the core will read
  // (open) or write (save): each pick is registered with it before the renderer sees it.
  ipcMain.handle(DIALOG_CHANNEL, async (event, kind: unknown, suggestedName: unknown): Promise<string | null> => {
    const window = BrowserWindow.fromWebContents(event.sender)
    const filters = [{ name: 'CSV files', extensions: ['csv', 'txt'] }]
    // For open, a dropped file's path: the dialog opens on it and the analyst confirms.
    const defaultPath = typeof suggestedName === 'string' && suggestedName !== '' ? suggestedName : undefined
    if (kind === 'open-csv') {
      const options = { properties: ['openFile' as const], filters, ...(defaultPath === undefined ? {} : { defaultPath }) }
      const result = window === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options)
      const path = result.canceled ? null : (result.filePaths[0] ?? null)
      if (path !== null) await current.allowPath(path, 'read')
      return path
    }
    if (kind === 'save-csv') {
      const options = { filters, defaultPath: defaultPath ?? 'scored.csv' }
      const result = window === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(window, options)
      const path = result.canceled ? null : (result.filePath ?? null)
      if (path !== null) await current.allowPath(path, 'write')
      return path
    }
    return null
  })
  // The renderer says it listens (at load, again after a reload): links go to it from now on.
  ipcMain.handle(DEEP_LINK_READY_CHANNEL, (event): DeepLinkTarget | null =>
    deepLinks.attach((target) => {
      if (event.sender.isDestroyed()) return false
      event.sender.send(DEEP_LINK_CHANNEL, target)
      return true
    }),
  )
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

app.on('will-quit', (event) => {
  const closing = core
  if (closing === null) return
  // Let a running scoring job stop and SQLite close cleanly before the process goes.
  event.preventDefault()
  core = null
  void closing.close().finally(() => app.quit())
})
