/**
 * Migration 3: the log's anchor (see log-anchor.ts). Each append batch seals its last event; the
 * anchor row holds the next sealing key (forward-secure: earlier keys cannot be derived from it)
 * and the last seal, so a cut tail is seen against the key pinned outside the database.
 */
export const migration003 = {
  version: 3,
  up: /* sql */ `
ALTER TABLE events ADD COLUMN seal TEXT;

CREATE TABLE log_anchor (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  log_id    TEXT NOT NULL,
  start     INTEGER NOT NULL,
  epoch     INTEGER NOT NULL,
  key       BLOB NOT NULL,
  last_id   INTEGER NOT NULL,
  last_hash TEXT NOT NULL,
  last_seal TEXT
) STRICT;
`,
};
