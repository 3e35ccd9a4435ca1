#!/usr/bin/env node
// Runs the Prisma CLI without letting it download native engines.
//
// This project uses Prisma's JS engines only (the `client` query engine with a driver
// adapter at runtime, the bundled WebAssembly schema engine for migrations). The CLI
// still tries to fetch the native engine binaries at start unless these variables
// point at existing files, and that download fails on offline machines. The files are
// never executed: they only satisfy the CLI's presence check.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const placeholderDir = path.join(root, 'node_modules', '.cache', 'prisma-engine-placeholders')
const queryEngine = path.join(placeholderDir, 'libquery_engine.so.node')
const schemaEngine = path.join(placeholderDir, 'schema-engine')

mkdirSync(placeholderDir, { recursive: true })
for (const file of [queryEngine, schemaEngine]) {
  if (!existsSync(file)) writeFileSync(file, '')
}

const needsDatabase = ['deploy', 'status', 'resolve', 'push', 'pull', 'execute'].some((c) => process.argv.includes(c))
if (needsDatabase && !process.env.DATABASE_URL) {
  console.error('DATABASE_URL is not set: it must name the Postgres database to migrate.')
  process.exit(2)
}

const require = createRequire(import.meta.url)
const cli = require.resolve('prisma/build/index.js')
const args = [cli, ...process.argv.slice(2), '--config', path.join(root, 'prisma', 'prisma.config.ts')]

const result = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  env: {
    PRISMA_QUERY_ENGINE_LIBRARY: queryEngine,
    PRISMA_SCHEMA_ENGINE_BINARY: schemaEngine,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
    ...process.env,
  },
})
process.exit(result.status ?? 1)
