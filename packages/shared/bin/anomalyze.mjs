#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, in this process, so stdin/stdout,
// signals and the exit code behave as for any Node program.
import { register } from 'tsx/esm/api'

register()
await import('../src/node/cli/main.ts')
