import os from 'node:os'
import path from 'node:path'

/**
 * The per-user folder where the local product keeps its data (embedded Postgres,
 * object storage, the local-mode session secret).
 *
 * Postgres refuses to run as root, so as root the embedded server runs as a
 * `postgres` user, which cannot enter root's private home: root's data goes under
 * /var/lib instead. `homes` carries APPDATA and XDG_DATA_HOME from the server's env.
 */
export function defaultAppDataDir(
  platform: NodeJS.Platform = process.platform,
  homes: { APPDATA?: string | undefined; XDG_DATA_HOME?: string | undefined } = {},
): string {
  if (process.getuid?.() === 0 && platform === 'linux') return '/var/lib/anomalyze'
  const home = os.homedir()
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Anomalyze')
    case 'win32':
      return path.join(homes.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Anomalyze')
    default:
      return path.join(homes.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'anomalyze')
  }
}
