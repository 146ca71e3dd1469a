/** Agent names: lower-case, start with a letter, at most 40 characters (PRODUCT.md). */
export const AGENT_NAME_RE = /^[a-z][a-z0-9-]{0,39}$/;

/** Secret names as they appear in profiles and on the CLI (env-var friendly). */
export const SECRET_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** The largest secret value the vault stores, in bytes (the IPC contract's limit). */
export const MAX_SECRET_BYTES = 65_536;

/** Run ids as the run manager makes them (`r-` + 8 hex digits). */
export const RUN_ID_RE = /^r-[0-9a-f]{8}$/;

/** The instruction file written into each workspace at every start. */
export const INSTRUCTION_FILE = 'PADDOCK.md';
