import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { AnomalyzeBridge, CoreArgs, CoreData, CoreMethod } from '../contract/handlers.ts'
import type { CoreResult } from '../contract/result.ts'
import { DIALOG_CHANNEL, IPC_CHANNEL } from './channel.ts'

// The renderer gets one object and no ipcRenderer: it can call core methods by name
// and nothing else.
const api = {
  platform: 'electron',
  call: <M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreResult<CoreData<M>>> =>
    ipcRenderer.invoke(IPC_CHANNEL, method, args) as Promise<CoreResult<CoreData<M>>>,
  chooseFile: (kind: 'open-csv' | 'save-csv', suggestedName?: string): Promise<string | null> =>
    ipcRenderer.invoke(DIALOG_CHANNEL, kind, suggestedName) as Promise<string | null>,
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
} satisfies AnomalyzeBridge

contextBridge.exposeInMainWorld('anomalyze', api)
