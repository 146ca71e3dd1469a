/**
 * Decoy credentials (honeytokens): realistic-looking files placed in an agent's home, unique per
 * agent and valid nowhere. Reading one, or sending one of its values out, is a strong sign that
 * the agent goes after credentials it was never given.
 */
import { randomBytes, randomInt } from 'node:crypto';

/** One decoy file: where in the home, what it pretends to be, its content and mode. */
export interface DecoySpec {
  /** Relative to the agent's home, `/`-separated. */
  rel: string;
  kind: 'aws-credentials' | 'ssh-key' | 'git-credentials' | 'dotenv';
  content: string;
  mode: number;
  /** The secret-looking values in it (scanned for by the egress proxy). */
  values: string[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function pick(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** An OpenSSH ed25519 private key block: the real layout, random keys (valid for nothing). */
function sshKey(comment: string): string {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const pub = randomBytes(32);
  const type = Buffer.from('ssh-ed25519');
  const pubBlob = Buffer.concat([sshString(type), sshString(pub)]);
  const check = randomBytes(4);
  let priv = Buffer.concat([check, check, sshString(type), sshString(pub), sshString(Buffer.concat([randomBytes(32), pub])), sshString(Buffer.from(comment))]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString(Buffer.from('none')), sshString(Buffer.from('none')), sshString(Buffer.alloc(0)), u32(1), sshString(pubBlob), sshString(priv)]);
  const b64 = body.toString('base64').replace(/(.{70})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A fresh set of decoys (random every call: each agent gets its own). */
export function generateDecoys(): DecoySpec[] {
  const user = pick('abcdefghijklmnopqrstuvwxyz', 6);
  const akid = `AKIA${pick(UPPER32, 16)}`;
  const asecret = pick(`${ALNUM}+/`, 40);
  const ghp = `ghp_${pick(ALNUM, 36)}`;
  const openai = `sk-proj-${pick(`${ALNUM}-_`, 48)}`;
  const anthropic = `sk-ant-api03-${pick(`${ALNUM}-_`, 93)}AA`;
  return [
    {
      rel: '.aws/credentials',
      kind: 'aws-credentials',
      mode: 0o600,
      content: `[default]\naws_access_key_id = ${akid}\naws_secret_access_key = ${asecret}\n`,
      values: [akid, asecret],
    },
    // Not ssh's default key name: `paddock keygen` makes ~/.ssh/id_ed25519, and ssh opens it by itself (a false decoy-read).
    { rel: '.ssh/deploy_ed25519', kind: 'ssh-key', mode: 0o600, content: sshKey(`${user}@laptop`), values: [] },
    // Not ~/.netrc: git (over https) and Python requests open it on their own at every request,
    // which would pause honest agents. git reads ~/.git-credentials only with credential.helper=store.
    { rel: '.git-credentials', kind: 'git-credentials', mode: 0o600, content: `https://${user}:${ghp}@github.com\n`, values: [ghp] },
    { rel: '.env', kind: 'dotenv', mode: 0o644, content: `OPENAI_API_KEY=${openai}\nANTHROPIC_API_KEY=${anthropic}\n`, values: [openai, anthropic] },
  ];
}
