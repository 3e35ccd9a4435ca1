/** The single IPC channel: (method, args) -> {data}|{error}. */
export const IPC_CHANNEL = 'anomalyze:call'
