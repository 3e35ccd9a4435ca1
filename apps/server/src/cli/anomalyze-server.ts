// `anomalyze-server <command>`: one entry for the server's commands.
//   start (the default)  run the server: see `anomalyze-server start --help`
//   users                the people of a local-mode installation: see `anomalyze-server users --help`
export {}

const [command] = process.argv.slice(2)

if (command === 'users' || command === 'start') {
  // Each command parses its own options from argv, without the command's name.
  process.argv.splice(2, 1)
  await (command === 'users' ? import('./users.ts') : import('./start.ts'))
} else if (command === undefined || command.startsWith('-')) {
  if (command === '-h' || command === '--help') {
    process.stdout.write(
      'Usage: anomalyze-server [start|users] [options]\n  start  run the server (default)\n  users  add and list the people of a local-mode installation\nEach command has --help.\n',
    )
  } else {
    await import('./start.ts')
  }
} else {
  console.error(`anomalyze-server: unknown command "${command}" (start, users; see --help)`)
  process.exitCode = 2
}
