// Prisma CLI configuration.
//
// Why it looks like this (see README "Database"): the Prisma CLI normally downloads a
// native schema engine, which cannot be fetched on offline machines. With
// `engine: "js"` and a driver adapter, `migrate deploy` runs on the WebAssembly schema
// engine bundled with the CLI. `@prisma/adapter-pg` 6.19 trips over Postgres `name`
// columns in the migration queries, so the CLI alone uses adapter-pg 7 (installed under
// the alias `@prisma/adapter-pg-migrate`); the runtime client uses 6.19.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg-migrate'

const here = path.dirname(fileURLToPath(import.meta.url))

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(here, 'schema.prisma'),
  migrations: { path: path.join(here, 'migrations') },
  async adapter() {
    // Commands such as `generate` and `migrate diff` between files build the adapter
    // but never connect; scripts/prisma.mjs refuses database commands without a URL.
    const connectionString = process.env.DATABASE_URL ?? 'postgresql://unset@127.0.0.1:1/unset'
    return new PrismaPg({ connectionString })
  },
})
