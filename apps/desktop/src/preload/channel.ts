/** The single IPC channel: (method, args) -> {data}|{error}. */
export const IPC_CHANNEL = 'anomalyze:call'
/** Native open/save dialogs: (kind, suggestedName) -> path | null. */
export const DIALOG_CHANNEL = 'anomalyze:dialog'
