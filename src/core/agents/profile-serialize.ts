/**
 * Writes a profile back as YAML in the contract's layout: flow lists and maps for command,
 * folders, secrets and limits, rules as a `|` block, `network: on|off` as words.
 */
import { Document, isMap, isSeq, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { DEFAULT_APPROVAL_TIMEOUT_S, type Profile } from '../../shared/profile.schema.js';

/** A memory size in the largest binary unit that represents it exactly (`2GiB`), else bytes. */
export function formatSize(bytes: number): string | number {
  for (const [unit, mult] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= mult && bytes % mult === 0) return `${bytes / mult}${unit}`;
  }
  return bytes;
}

function flow<T extends YAMLMap | YAMLSeq>(node: T): T {
  node.flow = true;
  return node;
}

/**
 * Serialises a profile to YAML. `parseProfile(serializeProfile(p))` gives back `p` (with `rulesLine`
 * set to where the rules sit in the new text). Defaults (empty lists, timeout 60) are left out.
 */
export function serializeProfile(profile: Profile): string {
  const out: Record<string, unknown> = { name: profile.name, command: profile.command };
  if (profile.workspace !== null) out.workspace = profile.workspace;
  if (profile.folders.length > 0) out.folders = profile.folders.map((f) => ({ path: f.path, access: f.access }));
  out.network = profile.network;
  if (profile.rules !== '') out.rules = profile.rules;
  if (profile.secrets.length > 0) {
    out.secrets = profile.secrets.map((s) => ({
      name: s.name,
      as: s.as,
      ...(s.hosts !== undefined ? { hosts: s.hosts } : {}),
      ...(s.header !== undefined ? { header: s.header } : {}),
    }));
  }
  const limits: Record<string, unknown> = {};
  if (profile.limits.memory !== null) limits.memory = formatSize(profile.limits.memory);
  if (profile.limits.processes !== null) limits.processes = profile.limits.processes;
  if (profile.limits.cpu !== null) limits.cpu = profile.limits.cpu;
  if (Object.keys(limits).length > 0) out.limits = limits;
  if (profile.approvals.timeout !== DEFAULT_APPROVAL_TIMEOUT_S) out.approvals = { timeout: profile.approvals.timeout };

  const doc = new Document(out, { version: '1.2' });
  const root = doc.contents;
  if (isMap(root)) {
    for (const pair of root.items) {
      const key = String((pair.key as Scalar).value);
      const v = pair.value;
      if (key === 'rules' && v instanceof Scalar) v.type = Scalar.BLOCK_LITERAL;
      if ((key === 'command' || key === 'limits' || key === 'approvals') && (isSeq(v) || isMap(v))) flow(v);
      if ((key === 'folders' || key === 'secrets') && isSeq(v)) {
        for (const item of v.items) if (isMap(item)) flow(item);
      }
      if (key === 'secrets' && isSeq(v)) {
        for (const item of v.items) {
          const hosts = isMap(item) ? item.get('hosts', true) : null;
          if (isSeq(hosts)) flow(hosts);
        }
      }
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}
