/** The single IPC channel: (method, args) -> {data}|{error}. */
export const IPC_CHANNEL = 'anomalyze:call'
/** Native open/save dialogs: (kind, suggestedName) -> path | null. */
export const DIALOG_CHANNEL = 'anomalyze:dialog'
/** Main -> renderer: the target ({ kind: 'anomaly' | 'case', id }) of an anomalyze:// link the OS opened. */
export const DEEP_LINK_CHANNEL = 'anomalyze:deep-link'
/** Renderer -> main: "I listen now"; answers the target of a link that arrived before (or null). */
export const DEEP_LINK_READY_CHANNEL = 'anomalyze:deep-link-ready'
