import { existsSync, readFileSync } from 'node:fs';

/** Where distributions keep the system CA bundle (the first that exists is used). */
export const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/** The variables that make common tools trust the bundle at `path` inside the sandbox. */
export function caBundleEnv(path: string): Record<string, string> {
  return {
    SSL_CERT_FILE: path,
    NODE_EXTRA_CA_CERTS: path,
    REQUESTS_CA_BUNDLE: path,
    GIT_SSL_CAINFO: path,
    CURL_CA_BUNDLE: path,
  };
}

/**
 * The bundle the sandbox trusts when header injection is used: the system CAs (other hosts stay
 * opaque tunnels with their real certificates) plus the agent's interception CA. Mount it over the
 * system bundle path inside the sandbox too, for tools that ignore the variables.
 */
export function caBundle(agentCaPem: string, systemBundle?: string): string {
  const sys = systemBundle ?? SYSTEM_CA_BUNDLES.find((p) => existsSync(p));
  const base = sys ? readFileSync(sys, 'utf8') : '';
  return `${base}${base.endsWith('\n') || base === '' ? '' : '\n'}${agentCaPem}`;
}
