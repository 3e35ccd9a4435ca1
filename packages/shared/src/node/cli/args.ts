/** Parsed command line: positionals, repeatable --options, flags. */
export interface ParsedArgs {
  positionals: string[]
  options: Map<string, string[]>
  flags: Set<string>
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** `--name value` (repeatable) for names in `valued`; any other `--name` is a flag. */
export function parseArgs(argv: readonly string[], valued: readonly string[], known: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() }
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string
    if (arg === '-h') {
      parsed.flags.add('help')
      continue
    }
    if (!arg.startsWith('--')) {
      parsed.positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq > 0 ? eq : undefined)
    if (valued.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
      if (value === undefined) throw new UsageError(`--${name} needs a value`)
      parsed.options.set(name, [...(parsed.options.get(name) ?? []), value])
    } else if (known.includes(name)) parsed.flags.add(name)
    else throw new UsageError(`unknown option --${name}`)
  }
  return parsed
}

export function lastOption(args: ParsedArgs, name: string): string | undefined {
  const values = args.options.get(name)
  return values?.[values.length - 1]
}
