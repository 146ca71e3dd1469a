/**
 * IP address parsing, canonical spelling, CIDR containment and classification.
 *
 * Threat: an agent that can name an address in a spelling the policy does not recognise
 * (`127.1`, `0x7f000001`, `::ffff:127.0.0.1`) would slip past rules written for the
 * canonical form, or get the name sent to DNS. Everything here parses the way the C
 * library's `inet_aton` and the kernel do, and canonicalises before any comparison.
 */

/** A parsed address. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is always returned as IPv4. */
export type IpAddress = { family: 4; value: number; text: string } | { family: 6; value: bigint; text: string };

/** A parsed CIDR range with its host bits cleared. */
export type Cidr = { family: 4; base: number; prefix: number } | { family: 6; base: bigint; prefix: number };


const V6_MAX = (1n << 128n) - 1n;

const V4_CHARS_RE = /^[0-9a-fx.]+$/i;

/** One inet_aton part: `0x..` hex, `0..` octal, else decimal. Returns NaN when invalid. */
function parseV4Part(part: string): number {
  if (part.length === 0 || part.length > 12) return NaN;
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]*$/.test(part)) return part.length === 1 ? 0 : parseInt(part.slice(1), 8);
  if (/^[1-9][0-9]*$/.test(part)) return parseInt(part, 10);
  return NaN;
}

/**
 * Parses IPv4 in every spelling inet_aton accepts: 1 to 4 parts, each decimal, octal
 * (leading 0) or hex (0x), the last part filling the remaining bytes
 * (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`). Returns the 32-bit value or null.
 */
export function parseIpv4(text: string): number | null {
  // Fast paths: most names fail the character test; most literals are plain dotted quads.
  if (!V4_CHARS_RE.test(text)) return null;
  const quad = parseDottedQuadStrict(text);
  if (quad !== null) return quad;
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums = parts.map(parseV4Part);
  if (nums.some((n) => !Number.isFinite(n))) return null;
  let value = 0;
  for (let i = 0; i < nums.length - 1; i++) {
    if (nums[i]! > 255) return null;
    value = value * 256 + nums[i]!;
  }
  const restBytes = 4 - (nums.length - 1);
  const last = nums[nums.length - 1]!;
  if (last >= 2 ** (8 * restBytes)) return null;
  return value * 2 ** (8 * restBytes) + last;
}

/** Dotted-quad spelling of a 32-bit value. */
export function formatIpv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Strict dotted quad (decimal, no leading zeros) as used inside IPv6 text. Hand-written: it is on the hot path. */
function parseDottedQuadStrict(t: string): number | null {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      v = v * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return null; // a leading zero means octal: not strict
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else return null;
  }
  return dots === 3 && digits > 0 ? v * 256 + part : null;
}

function hexGroup(g: string): number {
  if (g.length < 1 || g.length > 4) return -1;
  let n = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g.charCodeAt(i) | 0x20; // lower-case letters; digits are unaffected
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** Parses colon-separated hex groups (no `::`), appending to `out`; false when one is bad. */
function pushGroups(str: string, out: number[]): boolean {
  if (str === '') return true;
  let start = 0;
  for (;;) {
    const end = str.indexOf(':', start);
    const n = hexGroup(end < 0 ? str.slice(start) : str.slice(start, end));
    if (n < 0) return false;
    out.push(n);
    if (end < 0) return true;
    start = end + 1;
  }
}

/** Parses IPv6 text (no brackets, no zone id) into its eight 16-bit groups, or null. */
function parseIpv6Groups(text: string): number[] | null {
  if (text.length < 2 || text.length > 45) return null;
  let head = text;
  let tailV4: number | null = null;
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return null;
  if (text.includes('.')) {
    tailV4 = parseDottedQuadStrict(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = text.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::"; "1::2:1.2.3.4" leaves "1::2:" -> drop the lone separator.
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const groupsWanted = tailV4 === null ? 8 : 6;
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return null;
  const groups: number[] = [];
  if (dbl >= 0) {
    const right: number[] = [];
    if (!pushGroups(head.slice(0, dbl), groups) || !pushGroups(head.slice(dbl + 2), right)) return null;
    if (groups.length + right.length > groupsWanted - 1) return null;
    while (groups.length + right.length < groupsWanted) groups.push(0);
    for (const g of right) groups.push(g);
  } else if (!pushGroups(head, groups) || groups.length !== groupsWanted) return null;
  if (tailV4 !== null) groups.push(Math.floor(tailV4 / 65536), tailV4 & 0xffff);
  return groups;
}

function groupsToBigint(groups: readonly number[]): bigint {
  let hex = '0x';
  for (const g of groups) hex += g.toString(16).padStart(4, '0');
  return BigInt(hex);
}

/** RFC 5952 text of eight groups. */
function formatGroups(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
    } else out += (out === '' || out.endsWith(':') ? '' : ':') + groups[i]!.toString(16);
  }
  return out;
}

/** Parses IPv6 text (no brackets, no zone id) into a 128-bit value, or null. */
export function parseIpv6(text: string): bigint | null {
  const g = parseIpv6Groups(text);
  return g ? groupsToBigint(g) : null;
}

/** RFC 5952 canonical text: lower-case, longest run of zero groups (≥2) compressed. */
export function formatIpv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  return formatGroups(groups);
}

/**
 * Parses an IP literal in any accepted spelling: IPv4 numeric forms, IPv6 with or without
 * brackets. IPv4-mapped IPv6 becomes the IPv4 address (threat: `::ffff:127.0.0.1` is
 * dialled as 127.0.0.1 by a dual-stack socket). Zone ids (`fe80::1%eth0`) are refused
 * (threat: a zone selects an interface the policy cannot see). Returns null otherwise.
 */
export function parseIp(input: string): IpAddress | null {
  let text = input;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text.includes('%')) return null;
  if (text.includes(':')) {
    const g = parseIpv6Groups(text);
    if (g === null) return null;
    if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
      const v4 = g[6]! * 65536 + g[7]!;
      return { family: 4, value: v4, text: formatIpv4(v4) };
    }
    return { family: 6, value: groupsToBigint(g), text: formatGroups(g) };
  }
  const v4 = parseIpv4(text);
  return v4 === null ? null : { family: 4, value: v4, text: formatIpv4(v4) };
}

/** Result of parsing a CIDR: the range, or an error with the offset (0-based) it points at. */
export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; offset: number; message: string };

/** Parses `a.b.c.d/n` or `v6/n`; the host bits must be zero (we say which base was meant). */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, offset: 0, message: 'a CIDR range needs /PREFIX' };
  const addrText = text.slice(0, slash);
  const prefText = text.slice(slash + 1);
  const ip = parseIp(addrText);
  if (!ip) return { ok: false, offset: 0, message: `"${addrText}" is not an IP address` };
  const rawV6 = addrText.includes(':');
  const max = rawV6 ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefText) || Number(prefText) > max)
    return { ok: false, offset: slash + 1, message: `CIDR prefix "${prefText}" must be a number from 0 to ${max}` };
  let prefix = Number(prefText);
  if (rawV6 && ip.family === 4) {
    // Mapped IPv6 range written as v6: express it as the IPv4 range it stands for.
    if (prefix < 96) return { ok: false, offset: slash + 1, message: `an IPv4-mapped range needs a prefix of at least 96` };
    prefix -= 96;
  }
  if (ip.family === 4) {
    const base = prefix === 0 ? 0 : ((ip.value >>> (32 - prefix)) << (32 - prefix)) >>> 0;
    if (base !== ip.value)
      return { ok: false, offset: 0, message: `host bits are set in "${text}": did you mean ${formatIpv4(base)}/${prefix}?` };
    return { ok: true, cidr: { family: 4, base, prefix } };
  }
  const shift = BigInt(128 - prefix);
  const base = ((ip.value >> shift) << shift) & V6_MAX;
  if (base !== ip.value)
    return { ok: false, offset: 0, message: `host bits are set in "${text}": did you mean ${formatIpv6(base)}/${prefix}?` };
  return { ok: true, cidr: { family: 6, base, prefix } };
}

/** True when `ip` lies inside `cidr` (families must match). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family === 4) {
    if (ip.family !== 4) return false;
    if (cidr.prefix === 0) return true;
    return ip.value >>> (32 - cidr.prefix) === cidr.base >>> (32 - cidr.prefix);
  }
  if (ip.family !== 6) return false;
  const shift = BigInt(128 - cidr.prefix);
  return ip.value >> shift === cidr.base >> shift;
}

/** Address classes; anything but `public` is "special" and needs a rule naming it. */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

const V4_TABLE: ReadonlyArray<readonly [string, number, AddressClass]> = [
  // Cloud metadata services first (threat: credential theft through IMDS).
  ['169.254.169.254', 32, 'metadata'],
  ['169.254.170.2', 32, 'metadata'],
  ['169.254.169.253', 32, 'metadata'],
  ['100.100.100.200', 32, 'metadata'],
  ['168.63.129.16', 32, 'metadata'],
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V4_CLASSES = V4_TABLE.map(([a, p, c]) => ({ base: parseIpv4(a)!, prefix: p, cls: c }));

const V6_TABLE: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fd00:ec2::254', 128, 'metadata'],
  ['fd00:ec2::23', 128, 'metadata'],
  ['64:ff9b:1::', 48, 'reserved'],
  ['100::', 64, 'reserved'],
  ['2001::', 23, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['3fff::', 20, 'reserved'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];
/** Each entry also keeps its top 32 bits as a number so most checks avoid BigInt arithmetic. */
const V6_CLASSES = V6_TABLE.map(([a, p, c]) => {
  const base = parseIpv6(a)!;
  return { base, prefix: p, cls: c, hi: Number(base >> 96n), hiPrefix: Math.min(p, 32) };
});

function classifyV4(v: number): AddressClass {
  for (const c of V4_CLASSES) if (v >>> (32 - c.prefix) === c.base >>> (32 - c.prefix)) return c.cls;
  return 'public';
}

function classifyV6(v: bigint): AddressClass {
  const hi = Number(v >> 96n);
  for (const c of V6_CLASSES) {
    if (c.hiPrefix > 0 && Math.floor(hi / 2 ** (32 - c.hiPrefix)) !== Math.floor(c.hi / 2 ** (32 - c.hiPrefix))) continue;
    if (c.prefix <= 32) return c.cls;
    const shift = BigInt(128 - c.prefix);
    if (v >> shift === c.base >> shift) return c.cls;
  }
  const low32 = Number(v & 0xffffffffn);
  // NAT64 (64:ff9b::/96): the packet ends up at the embedded IPv4 address (threat: reaching 127.0.0.1 via a translator).
  if (v >> 32n === 0x64ff9bn << 64n) return classifyV4(low32);
  // IPv4-compatible ::a.b.c.d (deprecated): never public; keep the embedded class when it is special.
  if (v >> 32n === 0n) return classifyV4(low32) === 'public' ? 'reserved' : classifyV4(low32);
  // 6to4 2002:V4::/48: a relay delivers to the embedded IPv4 address.
  if (v >> 112n === 0x2002n) {
    const emb = classifyV4(Number((v >> 80n) & 0xffffffffn));
    if (emb !== 'public') return emb;
  }
  // Only 2000::/3 is global unicast; everything else is unassigned or special-purpose.
  if (Math.floor(hi / 2 ** 29) !== 1) return 'reserved';
  return 'public';
}

/** Classifies an address (mapped IPv6 is already IPv4 after parseIp). */
export function classifyAddress(ip: IpAddress): AddressClass {
  return ip.family === 4 ? classifyV4(ip.value) : classifyV6(ip.value);
}

/** True for any non-public address: these need a rule that names them. */
export function isSpecialAddress(ip: IpAddress): boolean {
  return classifyAddress(ip) !== 'public';
}
