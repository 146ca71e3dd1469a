/**
 * Small, targeted edits of a stored profile's YAML text that keep everything else as the user wrote
 * it (comments, order, quoting): the network switch writes `network:` here, so the profile, its
 * export, the YAML tab and the gap report all say what the switch says.
 */
import { isMap, isScalar, parseDocument } from 'yaml';

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
