/**
 * Migration 5: the per-agent decoy switch (issue 18). Agents created from now on get decoys
 * (the column's default); agents that existed before keep their home as it was (0).
 */
export const migration005 = {
  version: 5,
  up: /* sql */ `
ALTER TABLE agents ADD COLUMN decoys INTEGER NOT NULL DEFAULT 1 CHECK (decoys IN (0, 1));
UPDATE agents SET decoys = 0;
`,
};
