import type Database from 'better-sqlite3'

/**
 * Schema history of the local cache. Each entry moves the database from version i to
 * i + 1 (`PRAGMA user_version`); entries are append-only once released, because
 * analysts' machines hold caches made by every earlier build.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE anomalies (
    -- Integer key: the renderer's queue snapshot is a list of these.
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    -- NULL for anomalies synced from the server; a local_batches.id for offline-scored CSV rows.
    batch_id TEXT,
    tx_row_id TEXT NOT NULL,
    tx_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    amount REAL NOT NULL,
    currency TEXT NOT NULL,
    account_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    category TEXT,
    country TEXT,
    channel TEXT,
    score REAL NOT NULL,
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    -- JSON array, plus a delimited copy (" A B ") so a rule filter is a LIKE on one column.
    rules_json TEXT NOT NULL,
    rules_text TEXT NOT NULL,
    explanation TEXT NOT NULL,
    explanation_data TEXT,
    model_version TEXT,
    status TEXT NOT NULL,
    is_false_positive INTEGER NOT NULL DEFAULT 0,
    decision_label TEXT,
    decision_note TEXT,
    decided_by TEXT,
    decided_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- One index per queue sort order, led by batch_id because every query names a source,
  -- with status last so the usual "open items, sorted" query never touches the table
  -- (100,000 random row lookups cost ten times the index scan).
  CREATE INDEX anomalies_by_severity ON anomalies (batch_id, severity_rank DESC, score DESC, status);
  CREATE INDEX anomalies_by_score ON anomalies (batch_id, score DESC, status);
  CREATE INDEX anomalies_by_time ON anomalies (batch_id, ts DESC, status);
  CREATE INDEX anomalies_by_account ON anomalies (account_id, ts DESC);

  -- Word index over ids and explanations; queries match word prefixes ("C0001" finds
  -- C00017). A trigram index would also match mid-word but tripled the cost of a sync.
  CREATE VIRTUAL TABLE anomalies_fts USING fts5(
    tx_id, account_id, merchant_id, explanation,
    content = 'anomalies', content_rowid = 'n', tokenize = 'unicode61'
  );
  CREATE TRIGGER anomalies_fts_insert AFTER INSERT ON anomalies BEGIN
    INSERT INTO anomalies_fts (rowid, tx_id, account_id, merchant_id, explanation)
    VALUES (new.n, new.tx_id, new.account_id, new.merchant_id, new.explanation);
  END;
  CREATE TRIGGER anomalies_fts_delete AFTER DELETE ON anomalies BEGIN
    INSERT INTO anomalies_fts (anomalies_fts, rowid, tx_id, account_id, merchant_id, explanation)
    VALUES ('delete', old.n, old.tx_id, old.account_id, old.merchant_id, old.explanation);
  END;
  CREATE TRIGGER anomalies_fts_update AFTER UPDATE OF tx_id, account_id, merchant_id, explanation ON anomalies BEGIN
    INSERT INTO anomalies_fts (anomalies_fts, rowid, tx_id, account_id, merchant_id, explanation)
    VALUES ('delete', old.n, old.tx_id, old.account_id, old.merchant_id, old.explanation);
    INSERT INTO anomalies_fts (rowid, tx_id, account_id, merchant_id, explanation)
    VALUES (new.n, new.tx_id, new.account_id, new.merchant_id, new.explanation);
  END;

  -- Decisions waiting for (or done with) the server. Rows are never rewritten by a
  -- pull: the server's answer arrives as a push outcome.
  CREATE TABLE outbox (
    mutation_id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL,
    anomaly_id TEXT NOT NULL,
    label TEXT NOT NULL,
    note TEXT,
    decided_at INTEGER NOT NULL,
    -- Status before this decision, so undo can put it back.
    previous_status TEXT NOT NULL,
    previous_decision_json TEXT,
    -- 1 for decisions on offline-scored rows: the server has never seen those anomalies.
    local_only INTEGER NOT NULL DEFAULT 0,
    -- 1 while a push carrying this row is on the wire (undo must not race it).
    in_flight INTEGER NOT NULL DEFAULT 0,
    pushed_at INTEGER,
    outcome TEXT,
    outcome_reason TEXT,
    undone INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX outbox_pending ON outbox (pushed_at, decided_at) WHERE undone = 0;
  CREATE INDEX outbox_by_anomaly ON outbox (anomaly_id);
  CREATE INDEX outbox_by_action ON outbox (action_id);

  -- Single-row key/value state: cursor, server, session, model version.
  CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT
  );

  CREATE TABLE local_batches (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source_path TEXT,
    row_count INTEGER NOT NULL DEFAULT 0,
    bad_row_count INTEGER NOT NULL DEFAULT 0,
    model_version TEXT,
    created_at INTEGER NOT NULL
  );

  -- Column mappings the analyst confirmed, keyed by the normalised header row.
  CREATE TABLE column_mappings (
    header_key TEXT PRIMARY KEY,
    mapping_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  `
  -- Rows of an offline-scored file that could not be used: listed with their line
  -- numbers next to the batch, while its good rows are scored as usual.
  CREATE TABLE local_batch_errors (
    batch_id TEXT NOT NULL REFERENCES local_batches (id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    field TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX local_batch_errors_by_batch ON local_batch_errors (batch_id, line);
  -- A batch is 'running' until its last row is stored, so a crash mid-file is visible.
  ALTER TABLE local_batches ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
  `,
  `
  -- Re-scoring when the account's active model changes: the feature vector the
  -- server scored (float32 little-endian, FEATURE_NAMES order; NULL when the server
  -- did not keep it), and what the row showed before this desktop last re-scored it.
  ALTER TABLE anomalies ADD COLUMN features BLOB;
  ALTER TABLE anomalies ADD COLUMN prev_score REAL;
  ALTER TABLE anomalies ADD COLUMN prev_severity TEXT;
  ALTER TABLE anomalies ADD COLUMN prev_model_version TEXT;
  -- 'up', 'down' or 'dropped' (below the alert threshold) for the rows whose severity
  -- the last model change moved; NULL otherwise.
  ALTER TABLE anomalies ADD COLUMN moved TEXT;
  CREATE INDEX anomalies_moved ON anomalies (moved) WHERE moved IS NOT NULL;
  `,
  `
  -- The sort indexes again, with the key n before status: every queue order ends
  -- with n as its tie-break, which the old column order could not give, so each
  -- snapshot sorted all 100,000 keys in a temporary b-tree (85 ms, now 27 ms).
  -- status stays in the index so the "open items" filter still never reads the table.
  DROP INDEX IF EXISTS anomalies_by_severity;
  DROP INDEX IF EXISTS anomalies_by_score;
  DROP INDEX IF EXISTS anomalies_by_time;
  CREATE INDEX anomalies_by_severity ON anomalies (batch_id, severity_rank DESC, score DESC, n, status);
  CREATE INDEX anomalies_by_score ON anomalies (batch_id, score DESC, n, status);
  CREATE INDEX anomalies_by_time ON anomalies (batch_id, ts DESC, n, status);
  -- A first sync cut short by the app dying left the old definitions saved to be put
  -- back (see bulk-load.ts): they must not collide with the ones just made.
  UPDATE sync_state SET value = replace(value, 'CREATE INDEX anomalies_by_', 'CREATE INDEX IF NOT EXISTS anomalies_by_')
  WHERE key = 'bulkLoadDdl' AND value IS NOT NULL;
  `,
  `
  -- Team decisions: the first decision stands. The id of the decision in force as the
  -- analyst sees it (the pulled latestDecision.mutationId, or their own local one), sent
  -- as the next decision's basedOn; and who made it (a member's user id).
  ALTER TABLE anomalies ADD COLUMN decision_mutation_id TEXT;
  ALTER TABLE anomalies ADD COLUMN decided_by_id TEXT;
  -- What each queued decision was based on, who made it (a pull shows a decision not
  -- yet pushed as theirs), and with outcome 'conflict' the other person's decision that
  -- stands (JSON: label, note, decidedBy, decidedAt, mutationId).
  ALTER TABLE outbox ADD COLUMN based_on TEXT;
  ALTER TABLE outbox ADD COLUMN decided_by TEXT;
  ALTER TABLE outbox ADD COLUMN decided_by_id TEXT;
  ALTER TABLE outbox ADD COLUMN standing_json TEXT;
  `,
  `
  -- Cases (issue 20): the server's rows as pulled, with this console's unsent actions
  -- applied on top (case-outbox.ts). is_open (open and not merged) and priority_rank are
  -- stored so that every queue is one index range and its count never reads the table:
  -- My cases, Unassigned, Escalated, Due, All (case-queries.ts names the index of each).
  CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    status TEXT NOT NULL,
    is_open INTEGER NOT NULL,
    priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    assignee_id TEXT,
    assignee_name TEXT,
    due_at INTEGER,
    sla_minutes INTEGER,
    breached_at INTEGER,
    merged_into_id TEXT,
    alert_count INTEGER NOT NULL,
    open_alert_count INTEGER NOT NULL,
    opened_by_json TEXT,
    closed_at INTEGER,
    closed_by_json TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX cases_mine ON cases (assignee_id, is_open, priority_rank DESC, due_at);
  CREATE INDEX cases_by_status_due ON cases (status, is_open, due_at);
  CREATE INDEX cases_open_due ON cases (is_open, due_at);
  CREATE INDEX cases_by_priority ON cases (is_open, priority_rank DESC, due_at);

  -- A case's timeline as last pulled: replaced whole for each pulled case.
  CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor_json TEXT,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    data_json TEXT,
    mutation_id TEXT
  );
  CREATE INDEX case_events_by_case ON case_events (case_id, at);

  ALTER TABLE anomalies ADD COLUMN case_id TEXT;
  CREATE INDEX anomalies_by_case ON anomalies (case_id, severity_rank DESC, score DESC) WHERE case_id IS NOT NULL;

  -- Case actions waiting for the server. A row leaves when the server answers it
  -- (applied, duplicate, conflict or rejected); a network failure keeps it.
  -- previous_json: what the optimistic apply changed (the alerts' statuses a close
  -- decided), so a refused action can be put back.
  CREATE TABLE case_outbox (
    mutation_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    action_json TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    previous_json TEXT,
    in_flight INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX case_outbox_by_case ON case_outbox (case_id, at);

  -- The last action of this analyst on a case that lost (conflict) or was refused.
  CREATE TABLE case_conflicts (
    case_id TEXT PRIMARY KEY,
    mutation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    held_by_json TEXT,
    message TEXT NOT NULL,
    at INTEGER NOT NULL
  );

  -- The entity view's cache: what was fetched from the server, readable offline.
  CREATE TABLE entity_profiles (
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    json TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (entity_type, entity_id)
  );
  CREATE TABLE entity_transactions (
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    tx_row_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    amount REAL NOT NULL,
    country TEXT,
    counterparty_id TEXT NOT NULL,
    anomaly_id TEXT,
    json TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (entity_type, entity_id, tx_row_id)
  );
  CREATE INDEX entity_transactions_by_time ON entity_transactions (entity_type, entity_id, ts DESC, tx_row_id DESC);
  `,
  `
  -- Rules as data (issue 21): the rule set in force as last synced (rules.inForce), so
  -- file scoring and local backtests evaluate it offline. One row; org_id names the
  -- organisation it came from, and a set of another organisation is not used.
  CREATE TABLE IF NOT EXISTS rule_set_cache (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    org_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    rules_json TEXT NOT NULL,
    synced_at INTEGER NOT NULL
  );
  -- Its lists, in the server's order (the first ALLOW list that matches suppresses).
  CREATE TABLE IF NOT EXISTS rule_list_cache (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS rule_list_entry_cache (
    list_name TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (list_name, value)
  ) WITHOUT ROWID;
  -- The rule-set version a scored file was evaluated with (none: scored before rules were data).
  CREATE TABLE IF NOT EXISTS local_batch_rule_sets (
    batch_id TEXT PRIMARY KEY REFERENCES local_batches (id) ON DELETE CASCADE,
    version INTEGER NOT NULL
  );
  `,
  // A scored file's mapping, its domain check against the model's training data and the
  // file-fitted model it was re-scored with (JSON each); kept_upload: source_path is an
  // upload kept for re-scoring, deleted with the batch.
  `
  ALTER TABLE local_batches ADD COLUMN mapping_json TEXT;
  ALTER TABLE local_batches ADD COLUMN domain_json TEXT;
  ALTER TABLE local_batches ADD COLUMN file_model_json TEXT;
  ALTER TABLE local_batches ADD COLUMN kept_upload INTEGER NOT NULL DEFAULT 0;
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(`Local cache is at schema ${current}, newer than this build (${SCHEMA_VERSION}). Update Anomalyze.`)
  }
  for (let version = current; version < SCHEMA_VERSION; version += 1) {
    const step = MIGRATIONS[version]
    if (step === undefined) break
    // IMMEDIATE: the write lock first, so another connection's write is waited for.
    db.transaction(() => {
      db.exec(step)
      db.pragma(`user_version = ${version + 1}`)
    }).immediate()
  }
}
