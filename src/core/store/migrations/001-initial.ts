/**
 * Migration 1: the initial schema (agents, hash-chained events, approvals, vault tables).
 * Tables are STRICT so a value of the wrong type is refused by SQLite itself.
 */
export const migration001 = {
  version: 1,
  up: /* sql */ `
CREATE TABLE agents (
  name     TEXT PRIMARY KEY,
  profile  TEXT NOT NULL,
  source   TEXT,
  network  TEXT CHECK (network IN ('on', 'off')),
  created  TEXT NOT NULL,
  updated  TEXT NOT NULL
) STRICT;

-- The activity log: append-only and hash-chained. id is assigned by the store (it is hashed),
-- so it is a plain INTEGER PRIMARY KEY (rowid), contiguous from 1.
CREATE TABLE events (
  id        INTEGER PRIMARY KEY,
  ts        TEXT NOT NULL,
  agent     TEXT,
  kind      TEXT NOT NULL,
  run       TEXT,
  body      TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
CREATE INDEX events_agent_id ON events (agent, id);
CREATE INDEX events_kind_id ON events (kind, id);

-- Threat: tampering with the record through the app's own connection (a bug or an injected
-- statement). Direct edits of the file can drop these triggers; verify() catches those.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be deleted'); END;

CREATE TABLE approvals (
  id       TEXT PRIMARY KEY,
  agent    TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (kind IN ('net', 'action', 'secret')),
  target   TEXT NOT NULL,
  detail   TEXT NOT NULL,
  rule     TEXT,
  created  TEXT NOT NULL,
  expires  TEXT NOT NULL,
  state    TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'answered', 'expired')),
  answer   TEXT CHECK (answer IN ('once', 'always', 'deny', 'deny-always')),
  answered TEXT
) STRICT;
CREATE INDEX approvals_pending ON approvals (state, expires);
CREATE INDEX approvals_agent ON approvals (agent);

CREATE TABLE secrets (
  agent      TEXT NOT NULL,
  name       TEXT NOT NULL,
  as_mode    TEXT CHECK (as_mode IN ('env', 'file', 'header')),
  hosts      TEXT NOT NULL DEFAULT '[]',
  ciphertext BLOB NOT NULL,
  nonce      BLOB NOT NULL,
  created    TEXT NOT NULL,
  updated    TEXT NOT NULL,
  last_used  TEXT,
  use_count  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (agent, name)
) STRICT;

CREATE TABLE agent_keys (
  agent       TEXT PRIMARY KEY,
  wrapped_key BLOB NOT NULL,
  created     TEXT NOT NULL
) STRICT;

CREATE TABLE vault_meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;

-- Deleting an agent removes its asks, secrets and key (threat: a later agent that reuses the
-- name inheriting them). Events are kept: the log is append-only.
CREATE TRIGGER agents_delete_cascade AFTER DELETE ON agents
BEGIN
  DELETE FROM approvals WHERE agent = OLD.name;
  DELETE FROM secrets WHERE agent = OLD.name;
  DELETE FROM agent_keys WHERE agent = OLD.name;
END;
`,
} as const;
export default migration001;
