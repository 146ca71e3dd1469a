/**
 * Migration 4: who gave a remembered answer (`cli`, `app`, `console`), shown beside it in the
 * Rules and Network tabs. Older rows have none (NULL: not recorded).
 */
export const migration004 = {
  version: 4,
  up: /* sql */ `
ALTER TABLE answers ADD COLUMN answered_by TEXT;
`,
};
