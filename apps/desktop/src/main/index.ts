import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, shell } from 'electron'
import { isCoreMethod } from '../contract/handlers.ts'
import type { CoreResult } from '../contract/result.ts'
import { createCore, type Core } from '../core/create-core.ts'
import { DIALOG_CHANNEL, IPC_CHANNEL } from '../preload/channel.ts'
import { safeStorageProtector } from './safe-storage-protector.ts'

/**
 * The Electron shell: one window and one IPC channel that forwards to the core. All
 * logic lives in src/core (plain Node), which the browser mode serves as well.
 */
let core: Core | null = null

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

  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (devUrl !== undefined && !app.isPackaged) void window.loadURL(devUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
}

void app.whenReady().then(() => {
  const current = createCore({
    dataDir: app.getPath('userData'),
    autoSyncMs: 60_000,
    tokenProtector: safeStorageProtector(),
    config: {
      clerkPublishableKey: process.env.ANOMALYZE_CLERK_PUBLISHABLE_KEY ?? null,
      defaultServerUrl: process.env.ANOMALYZE_SERVER_URL ?? null,
    },
  })
  core = current
  ipcMain.handle(IPC_CHANNEL, async (_event, method: unknown, args: unknown): Promise<CoreResult<unknown>> => {
    if (typeof method !== 'string' || !isCoreMethod(method)) {
      return { error: { code: 'NOT_FOUND', message: `No method ${String(method)}` } }
    }
    const call = current.handlers[method] as (a: unknown) => Promise<CoreResult<unknown>>
    return call(args)
  })
  // Native file dialogs for offline scoring: the core then reads the file in place.
  ipcMain.handle(DIALOG_CHANNEL, async (event, kind: unknown, suggestedName: unknown): Promise<string | null> => {
    const window = BrowserWindow.fromWebContents(event.sender)
    const filters = [{ name: 'CSV files', extensions: ['csv', 'txt'] }]
    if (kind === 'open-csv') {
      const options = { properties: ['openFile' as const], filters }
      const result = window === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    }
    if (kind === 'save-csv') {
      const options = { filters, defaultPath: typeof suggestedName === 'string' ? suggestedName : 'scored.csv' }
      const result = window === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(window, options)
      return result.canceled ? null : (result.filePath ?? null)
    }
    return null
  })
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
