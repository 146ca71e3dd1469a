/**
 * The auto-pause setting of each alert type: `PADDOCK_ALERT_PAUSE` = `TYPE=pause|nopause[,…]`,
 * e.g. `decoy-read=nopause,denied-burst=pause`. Types not named keep their default
 * (DEFAULT_ALERTS); `cpu-sustained` is set with its thresholds in PADDOCK_CPU_ALERT.
 */
import { PaddockError } from '../../shared/errors.js';
import { DEFAULT_ALERTS } from './tripwires.js';
import type { EgressAlertType } from './types.js';

/** Per alert type: pause the agent when it fires (only the types named). */
export type AlertPauseSettings = Partial<Record<EgressAlertType, boolean>>;

const TYPES = Object.keys(DEFAULT_ALERTS).filter((t) => t !== 'cpu-sustained') as EgressAlertType[];

/**
 * Reads PADDOCK_ALERT_PAUSE. A bad value is an error that says how to write it (never ignored:
 * the user believes the setting holds; threat: an agent left running after a decoy read because a
 * typo silently kept the default the user meant to change).
 */
export function alertPauseFromEnv(env: NodeJS.ProcessEnv): AlertPauseSettings {
  const raw = env.PADDOCK_ALERT_PAUSE?.trim();
  if (!raw) return {};
  const out: AlertPauseSettings = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)=(pause|nopause)$/.exec(part);
    const type = m?.[1] as EgressAlertType | undefined;
    if (type === 'cpu-sustained') throw new PaddockError('E_USAGE', `PADDOCK_ALERT_PAUSE: cpu-sustained is set with its thresholds in PADDOCK_CPU_ALERT (for example 0.8:60:pause)`);
    if (!m || !type || !TYPES.includes(type))
      throw new PaddockError('E_USAGE', `PADDOCK_ALERT_PAUSE="${raw}": "${part}" is not TYPE=pause|nopause (types: ${TYPES.join(', ')}; for example decoy-read=nopause)`);
    out[type] = m[2] === 'pause';
  }
  return out;
}
