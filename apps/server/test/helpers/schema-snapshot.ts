import pg from 'pg'

/**
 * Everything about a database's schema that migrations decide, as sorted text:
 * columns with types, nullability and defaults; enums with their ordered values;
 * constraints and indexes by definition. Two databases with equal snapshots have
 * the same schema. Prisma's own bookkeeping table is left out.
 */
export async function snapshotSchema(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const queries = [
      `SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' null=' || is_nullable ||
              ' default=' || coalesce(column_default, '-') || ' len=' || coalesce(character_maximum_length::text, '-') ||
              ' num=' || coalesce(numeric_precision::text, '-') || ',' || coalesce(numeric_scale::text, '-') AS line
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
      `SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
      `SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations'`,
      `SELECT 'index ' || indexdef AS line FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
    ]
    const lines: string[] = []
    for (const query of queries) {
      const result = await client.query<{ line: string }>(query)
      lines.push(...result.rows.map((row) => row.line))
    }
    return lines.sort()
  } finally {
    await client.end()
  }
}
