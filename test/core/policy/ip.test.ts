import { describe, expect, it } from 'vitest';
import { cidrContains, classifyAddress, parseCidr, parseIp, type Cidr } from '../../../src/core/policy/ip.js';

const text = (s: string): string | undefined => parseIp(s)?.text;
const cls = (s: string): string => classifyAddress(parseIp(s)!);

describe('IPv4 spellings (inet_aton)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['10.0x10.010.1', '10.16.8.1'],
    ['4294967295', '255.255.255.255'],
  ])('%s is %s', (input, out) => expect(text(input)).toBe(out));

  it.each(['256.0.0.1', '1.2.3.4.5', '08.0.0.1', '4294967296', '1..2', '', '1.2.3.', 'a.b.c.d', '0x', '-1', '1.2.3.256', '1.16777216'])(
    'rejects %j',
    (input) => {
      // "0x" alone is 0 for inet_aton; everything else here is invalid.
      if (input === '0x') expect(text(input)).toBe('0.0.0.0');
      else expect(text(input)).toBeUndefined();
    },
  );
});

describe('IPv6', () => {
  it.each([
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1', 'fe80::1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['[::FFFF:a9fe:a9fe]', '169.254.169.254'],
    ['64:ff9b::7f00:1', '64:ff9b::7f00:1'],
    ['::127.0.0.1', '::7f00:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ])('%s is %s', (input, out) => expect(text(input)).toBe(out));

  it.each(['fe80::1%eth0', '[fe80::1%25eth0]', '1:::2', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ':1::', '::ffff:127.0.0.01', 'g::1'])('rejects %s', (s) =>
    expect(parseIp(s)).toBeNull(),
  );
});

describe('classification', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'private'],
    ['127.0.0.2', 'loopback'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['172.16.0.1', 'private'],
    ['172.32.0.1', 'public'],
    ['192.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.1', 'reserved'],
    ['203.0.113.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12::1', 'private'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::808:808', 'public'],
    ['::10.0.0.1', 'private'],
    ['::8.8.8.8', 'reserved'],
    ['2002:a00:1::', 'private'],
    ['2606:4700::1111', 'public'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (ip, c) => expect(cls(ip)).toBe(c));
});

describe('CIDR', () => {
  const c = (s: string): Cidr => {
    const r = parseCidr(s);
    if (!r.ok) throw new Error(r.message);
    return r.cidr;
  };
  it('contains addresses in its range only', () => {
    expect(cidrContains(c('127.0.0.0/8'), parseIp('127.255.0.1')!)).toBe(true);
    expect(cidrContains(c('127.0.0.0/8'), parseIp('128.0.0.1')!)).toBe(false);
    expect(cidrContains(c('0.0.0.0/0'), parseIp('1.2.3.4')!)).toBe(true);
    expect(cidrContains(c('0.0.0.0/0'), parseIp('::2')!)).toBe(false);
    expect(cidrContains(c('fd00::/8'), parseIp('fd12::1')!)).toBe(true);
    expect(cidrContains(c('::ffff:10.0.0.0/104'), parseIp('10.9.9.9')!)).toBe(true);
  });
  it('refuses host bits, bad prefixes and bad addresses with a hint', () => {
    const r = parseCidr('192.168.1.5/24');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('192.168.1.0/24');
    expect(parseCidr('10.0.0.0/33').ok).toBe(false);
    expect(parseCidr('::/129').ok).toBe(false);
    expect(parseCidr('10.0.0.0/').ok).toBe(false);
    expect(parseCidr('x/8').ok).toBe(false);
  });
});
