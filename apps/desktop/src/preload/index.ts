import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { AnomalyzeBridge, CoreArgs, CoreData, CoreMethod } from '../contract/handlers.ts'
import { asDeepLinkTarget, type DeepLinkTarget } from '../contract/deep-link.ts'
import type { CoreResult } from '../contract/result.ts'
import { DEEP_LINK_CHANNEL, DEEP_LINK_READY_CHANNEL, DIALOG_CHANNEL, IPC_CHANNEL } from './channel.ts'

// The renderer gets one object and no ipcRenderer: it can call core methods by name
// and nothing else.
const api = {
  platform: 'electron',
  call: <M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreResult<CoreData<M>>> =>
    ipcRenderer.invoke(IPC_CHANNEL, method, args) as Promise<CoreResult<CoreData<M>>>,
  chooseFile: (kind: 'open-csv' | 'save-csv', suggestedName?: string): Promise<string | null> =>
    ipcRenderer.invoke(DIALOG_CHANNEL, kind, suggestedName) as Promise<string | null>,
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
  onDeepLink: (listener: (target: DeepLinkTarget) => void): (() => void) => {
    // Only a checked { kind, id } copy crosses over, never the IPC event (it would expose ipcRenderer).
    const handler = (_event: unknown, value: unknown): void => {
      const target = asDeepLinkTarget(value)
      if (target !== null) listener(target)
    }
    ipcRenderer.on(DEEP_LINK_CHANNEL, handler)
    void (ipcRenderer.invoke(DEEP_LINK_READY_CHANNEL) as Promise<unknown>).then((waiting) => {
      const target = asDeepLinkTarget(waiting)
      if (target !== null) listener(target)
    })
    return () => {
      ipcRenderer.removeListener(DEEP_LINK_CHANNEL, handler)
    }
  },
} satisfies AnomalyzeBridge

contextBridge.exposeInMainWorld('anomalyze', api)
