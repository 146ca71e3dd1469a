/**
 * Migration 2: remembered answers. An ask answered "always" / "deny always" becomes a rule kept
 * beside the agent's profile (which stays as the user wrote it); deleting the agent forgets them.
 */
export const migration002 = {
  version: 2,
  up: /* sql */ `
CREATE TABLE answers (
  id       INTEGER PRIMARY KEY,
  agent    TEXT NOT NULL,
  rule     TEXT NOT NULL,
  created  TEXT NOT NULL,
  UNIQUE (agent, rule)
) STRICT;

CREATE TRIGGER agents_delete_answers AFTER DELETE ON agents
BEGIN
  DELETE FROM answers WHERE agent = OLD.name;
END;
`,
};
