import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client.ts'

export type Db = PrismaClient
export { Prisma } from '../generated/prisma/client.ts'

/** A Prisma client on the pure-JS query engine, talking to Postgres through `pg`. */
export function createPrismaClient(databaseUrl: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize })
  return new PrismaClient({ adapter })
}
