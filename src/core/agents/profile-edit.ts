/**
 * Small, targeted edits of a stored profile's YAML text that keep everything else as the user wrote
 * it (comments, order, quoting): the network switch writes `network:` here, so the profile, its
 * export, the YAML tab and the gap report all say what the switch says.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';

/** `text` with its top-level `network:` set to `value` (added at the end when absent). */
export function withNetwork(text: string, value: 'on' | 'off'): string {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new Error('the stored profile is not a YAML map');
  const node = doc.contents.get('network', true);
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    return `${text.slice(0, start)}${value}${text.slice(end)}`;
  }
  if (node === undefined && !doc.contents.flow) return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}network: ${value}\n`;
  // A flow-style profile (`{name: a, network: off}`) or an odd value: rewrite it through the library.
  doc.set('network', value);
  return doc.toString();
}

/** One `secrets:` entry as the vault form writes it. */
export interface SecretDeclEdit {
  name: string;
  as: 'env' | 'file' | 'header';
  hosts?: string[];
  header?: string;
}

/**
 * `text` with the `secrets:` entry named `decl.name` replaced by `decl` (appended when absent,
 * and `secrets:` added when the profile has none). Every other line stays as written.
 */
export function withSecretDecl(text: string, decl: SecretDeclEdit): string {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new Error('the stored profile is not a YAML map');
  const entry: Record<string, unknown> = { name: decl.name, as: decl.as };
  if (decl.as === 'header') {
    entry.hosts = decl.hosts ?? [];
    entry.header = decl.header;
  }
  const node = doc.createNode(entry);
  const seq = doc.contents.get('secrets', true);
  if (seq === undefined || seq === null || (isScalar(seq) && seq.value === null)) {
    doc.set('secrets', doc.createNode([entry]));
    return doc.toString();
  }
  if (!isSeq(seq)) throw new Error('the profile\'s secrets: is not a list; fix it in the YAML tab');
  const at = seq.items.findIndex((it) => isMap(it) && it.get('name') === decl.name);
  if (at >= 0) seq.items[at] = node;
  else seq.items.push(node);
  return doc.toString();
}

/**
 * `text` with `lines` appended to its `rules: |` block (added at the end when there is none).
 * Every other line stays as written; a `rules:` that is not a block scalar is rewritten through
 * the library.
 */
export function withRulesAppended(text: string, lines: readonly string[]): string {
  if (lines.length === 0) return text;
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new Error('the stored profile is not a YAML map');
  const node = doc.contents.get('rules', true);
  if (node === undefined && !doc.contents.flow) {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${sep}rules: |\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
  }
  if (isScalar(node) && node.type === 'BLOCK_LITERAL' && node.range && typeof node.value === 'string') {
    const end = node.range[1];
    const body = text.slice(node.range[0], end);
    const indent = /\n([ \t]+)\S/.exec(body)?.[1] ?? '  ';
    const lead = text.slice(0, end).endsWith('\n') ? '' : '\n';
    return `${text.slice(0, end)}${lead}${lines.map((l) => `${indent}${l}`).join('\n')}\n${text.slice(end)}`;
  }
  if (node !== undefined && node !== null && !(isScalar(node) && (node.value === null || typeof node.value === 'string')))
    throw new Error('the profile\'s rules: is not text; fix it in the YAML tab');
  const current: string = isScalar(node) && typeof node.value === 'string' ? node.value : '';
  const next = `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n`;
  const s = doc.createNode(next);
  s.type = 'BLOCK_LITERAL';
  doc.set('rules', s);
  return doc.toString();
}

/**
 * `text` with its `rules:` replaced by `rules` as a literal block (`rules: |`), or removed when
 * `rules` is blank; every other line stays as written. This is how the rule editor's text becomes
 * the profile that is checked and saved.
 */
export function withRules(text: string, rules: string): string {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0 || !(doc.contents === null || isMap(doc.contents))) throw new Error('the stored profile is not a YAML map');
  const body = rules.endsWith('\n') || rules === '' ? rules : `${rules}\n`;
  if (body.trim() === '') doc.delete('rules');
  else {
    const s = new Scalar(body);
    s.type = Scalar.BLOCK_LITERAL;
    doc.set('rules', s);
  }
  return doc.toString();
}
