/**
 * The CLI's environment, read here and nowhere else. `pnpm --filter` (and `npm run`)
 * start us inside packages/shared; INIT_CWD names the folder the user typed the
 * command in, which is where their relative paths point.
 */
export function invocationDir(source: NodeJS.ProcessEnv = process.env): string {
  return source.INIT_CWD ?? process.cwd()
}
