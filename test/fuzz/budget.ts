// How many inputs each fuzz target tries: ~10 000 in the CI pass; `npm run fuzz` (scripts/fuzz.mjs)
// sets FUZZ_RUNS to the total across all targets (1 000 000 by default), split evenly.

/** The fuzz targets sharing FUZZ_RUNS (rule parser, profile, control socket, console API, proxy). */
export const TARGETS = 5;

/** Inputs for one target: FUZZ_RUNS / TARGETS when set, else `ci`. */
export function fuzzRuns(ci = 10_000): number {
  const total = Number(process.env.FUZZ_RUNS ?? 0);
  return Number.isFinite(total) && total > 0 ? Math.ceil(total / TARGETS) : ci;
}

/** A vitest timeout that scales with the number of inputs (`perInputMs` each, at least 60 s). */
export function fuzzTimeout(runs: number, perInputMs: number): number {
  return Math.max(60_000, Math.ceil(runs * perInputMs * 3));
}

/** fast-check options: a seed from FUZZ_SEED for replays, otherwise random (printed on failure). */
export function fcOptions(numRuns: number): { numRuns: number; seed?: number } {
  const seed = process.env.FUZZ_SEED;
  return seed ? { numRuns, seed: Number(seed) } : { numRuns };
}
