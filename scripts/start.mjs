#!/usr/bin/env node
// `npm start`: set up, then run the product: Postgres (embedded unless
// DATABASE_URL is set), migrations, the demo account, the API server.
import { pnpm, setup } from './setup.mjs'

setup()
console.log('▸ starting Anomalyze (Ctrl+C to stop)')
pnpm(['--filter', '@anomalyze/server', 'start', ...process.argv.slice(2)])
