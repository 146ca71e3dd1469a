/** The user's TERM, LANG and TZ (allowed inside by the contract), when they look like what they are. */
export function hostLocale(env: NodeJS.ProcessEnv = process.env): { term?: string; lang?: string; tz?: string } {
  const ok = (v: string | undefined): string | undefined => (v && /^[A-Za-z0-9_.:/+@-]{1,64}$/.test(v) ? v : undefined);
  return { term: ok(env.TERM), lang: ok(env.LANG), tz: ok(env.TZ) };
}
