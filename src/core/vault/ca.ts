import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { bits, bool, explicit, implicit, implicitSeq, octets, oid, seq, set, time, uint, utf8 } from './asn1.js';

/** A certificate authority for one agent's TLS interception. Its key never leaves the host process. */
export interface AgentCa {
  /** PEM of the CA certificate: what the sandbox trusts (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS…). */
  certPem: string;
  cert: X509Certificate;
  key: KeyObject;
  /** Issues a server certificate for `host` (a name or an IP literal). */
  issue(host: string): LeafCert;
}

/** A server certificate and its key, for the proxy's TLS endpoint towards the agent. */
export interface LeafCert {
  certPem: string;
  keyPem: string;
}

export interface CaOptions {
  /** Restrict the CA to these hosts with X.509 name constraints (threat: a leaked CA key minting certificates for any site). */
  permitted?: readonly string[];
  /** How long the CA is valid (default 30 days; make one per run or per engine start). */
  days?: number;
  now?: () => Date;
}

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  cn: '2.5.4.3',
  o: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

const DAY = 86_400_000;
const name = (cn: string): Buffer => seq(set(seq(oid(OID.o), utf8('Paddock'))), set(seq(oid(OID.cn), utf8(cn))));
const ext = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
/** keyUsage as a DER BIT STRING (trailing zero bits declared unused): 0x80 digitalSignature, 0x04 keyCertSign, 0x02 cRLSign. */
function keyUsage(byte: number): Buffer {
  let unused = 0;
  while (unused < 7 && ((byte >> unused) & 1) === 0) unused++;
  return Buffer.from([0x03, 0x02, unused, byte]);
}

function ipBytes(host: string): Buffer {
  if (isIP(host) === 4) return Buffer.from(host.split('.').map(Number));
  // Expand an IPv6 literal (with ::) to 16 bytes.
  const [head, tail = ''] = host.split('::');
  const h = head ? head.split(':') : [];
  const t = host.includes('::') && tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

function generalName(host: string): Buffer {
  const h = host.replace(/^\[|\]$/g, '');
  return isIP(h) ? implicit(7, ipBytes(h)) : implicit(2, Buffer.from(h.toLowerCase(), 'ascii'));
}

/** Key identifier: SHA-1 of the public key info (RFC 5280 §4.2.1.2, method 1 in spirit). */
const keyId = (spki: Buffer): Buffer => createHash('sha1').update(spki).digest();

function certificate(opts: { subject: Buffer; issuer: Buffer; spki: Buffer; signer: KeyObject; notBefore: Date; notAfter: Date; extensions: Buffer[] }): string {
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const algo = seq(oid(OID.ecdsaSha256));
  const tbs = seq(explicit(0, uint(2)), uint(serial), algo, opts.issuer, seq(time(opts.notBefore), time(opts.notAfter)), opts.subject, opts.spki, explicit(3, seq(...opts.extensions)));
  const der = seq(tbs, algo, bits(sign('sha256', tbs, opts.signer)));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/**
 * Makes a fresh per-agent CA (ECDSA P-256) in memory. The proxy terminates TLS only for hosts a
 * header secret is bound to, with leaf certificates from `issue(host)`; every other host stays an
 * opaque tunnel. Keep the CA key in the host process: never write it where a sandbox can read it.
 */
export function createAgentCa(agent: string, opts: CaOptions = {}): AgentCa {
  const now = opts.now ?? (() => new Date());
  const start = new Date(now().getTime() - DAY);
  const end = new Date(start.getTime() + (opts.days ?? 30) * DAY);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const caName = name(`Paddock interception CA for ${agent}`);
  const caKeyId = keyId(spki);
  const extensions = [
    ext(OID.basicConstraints, true, seq(bool(true), uint(0))),
    ext(OID.keyUsage, true, keyUsage(0x86)),
    ext(OID.subjectKeyId, false, octets(caKeyId)),
  ];
  if (opts.permitted && opts.permitted.length > 0) {
    const subtrees = opts.permitted.map((p) => {
      const h = p.replace(/^\*\./, '').replace(/:\d+$|:\*$/, '').replace(/^\[|\]$/g, '');
      // An IP constraint is address + mask: exactly this address.
      return seq(isIP(h) ? implicit(7, Buffer.concat([ipBytes(h), Buffer.alloc(isIP(h) === 4 ? 4 : 16, 0xff)])) : generalName(h));
    });
    extensions.push(ext(OID.nameConstraints, true, seq(implicitSeq(0, ...subtrees))));
  }
  const certPem = certificate({ subject: caName, issuer: caName, spki, signer: privateKey, notBefore: start, notAfter: end, extensions });
  return {
    certPem,
    cert: new X509Certificate(certPem),
    key: privateKey,
    issue(host) {
      const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const leafSpki = leaf.publicKey.export({ type: 'spki', format: 'der' });
      const h = host.replace(/^\[|\]$/g, '');
      const leafPem = certificate({
        // A CN that is not host-like: OpenSSL would check a host-like CN against the DNS name constraints.
        subject: name(`Paddock interception for ${agent}`),
        issuer: caName,
        spki: leafSpki,
        signer: privateKey,
        notBefore: start,
        notAfter: end,
        extensions: [
          ext(OID.basicConstraints, true, seq()),
          ext(OID.keyUsage, true, keyUsage(0x80)),
          ext(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
          ext(OID.subjectAltName, false, seq(generalName(h))),
          ext(OID.authorityKeyId, false, seq(implicit(0, caKeyId))),
        ],
      });
      return { certPem: leafPem, keyPem: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    },
  };
}
