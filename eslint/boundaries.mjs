// The engine's boundaries (issue 14), as two lint rules over resolved import paths:
//
// - `paddock/host-imports`: hosts and adapters (the Electron shell, the CLI, the control-socket host,
//   the API adapter) reach src/core only through its public entries (HOST_ENTRIES): the engine's
//   command module (src/core/commands/index.ts and its offline half, offline/index.ts), the RPC adapter
//   (src/core/api/index.ts), the host (src/core/host/index.ts) and the CLI's light client
//   (src/core/client/index.ts). Never the engine's parts (runs, store, egress, approvals, bus) nor
//   engine.ts itself. Type-only imports count too.
// - `paddock/no-deep-import`: a folder under src/core is a domain; another domain imports only its
//   index.ts (the command module and the composition root engine.ts excepted: they assemble the parts).
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Public entries of src/core a host may import (paths relative to the repository), and why each is one. */
export const HOST_ENTRIES = [
  // The engine's verbs: the one way in for hosts.
  'src/core/commands/index.ts',
  // The same verbs' offline half (the log, the vault, the quarantine, a profile check, doctor, with
  // no host running), apart because it is light: each verb loads its own part, index.ts the engine.
  'src/core/commands/offline/index.ts',
  // The RPC adapter (the API map over IPC, HTTP/WebSocket and the control socket).
  'src/core/api/index.ts',
  // The host of a data dir (its lock, its control socket).
  'src/core/host/index.ts',
  // The CLI's light client of the control socket (no engine, no zod).
  'src/core/client/index.ts',
];

/** Where the files of the host and adapter layers are. */
const HOST_ZONES = ['src/main/', 'src/cli/', 'src/core/host/', 'src/core/api/'];

/** The repository-relative path an import resolves to (null for a package). `.js` specifiers name `.ts` sources. */
function resolveImport(fromFile, spec) {
  if (typeof spec !== 'string' || !spec.startsWith('.')) return null;
  let target = path.resolve(path.dirname(fromFile), spec);
  if (/\.js$/.test(target)) target = target.replace(/\.js$/, '.ts');
  else if (!/\.(ts|tsx|mjs|cjs|json)$/.test(target)) target += '.ts';
  return path.relative(ROOT, target).split(path.sep).join('/');
}

function rel(file) {
  return path.relative(ROOT, path.resolve(file)).split(path.sep).join('/');
}

/** The domain of a file under src/core: its first folder (null for engine.ts, native.ts at the root, or outside core). */
function coreDomain(file) {
  const parts = file.split('/');
  return parts[0] === 'src' && parts[1] === 'core' && parts.length > 3 ? parts[2] : null;
}

/** Calls `check(node, resolvedTarget)` for every import, re-export and dynamic import of the file. */
function eachImport(context, check) {
  const file = context.filename;
  const visit = (node, source) => {
    if (!source || source.type !== 'Literal') return;
    const target = resolveImport(file, source.value);
    if (target) check(node, target, source.value);
  };
  return {
    ImportDeclaration: (n) => visit(n, n.source),
    ExportNamedDeclaration: (n) => visit(n, n.source),
    ExportAllDeclaration: (n) => visit(n, n.source),
    ImportExpression: (n) => visit(n, n.source),
  };
}

const hostImports = {
  meta: {
    type: 'problem',
    docs: { description: 'hosts and adapters import only the engine\'s command module (and the adapter, host and client entries) from src/core' },
    schema: [],
    messages: {
      reach: '{{file}} is a host or adapter: it reaches the engine only through src/core/commands/index.ts or offline/index.ts (or the api, host and client index.ts), not {{target}}. Add a verb to the command module instead.',
    },
  },
  create(context) {
    const file = rel(context.filename);
    if (!HOST_ZONES.some((z) => file.startsWith(z))) return {};
    const ownDomain = coreDomain(file);
    return eachImport(context, (node, target) => {
      if (!target.startsWith('src/core/')) return;
      if (ownDomain && coreDomain(target) === ownDomain) return; // its own files
      if (HOST_ENTRIES.includes(target)) return;
      context.report({ node, messageId: 'reach', data: { file, target } });
    });
  },
};

const noDeepImport = {
  meta: {
    type: 'problem',
    docs: { description: 'a domain of src/core is imported through its index.ts only' },
    schema: [],
    messages: {
      deep: '{{target}} is inside the {{domain}} domain: import its index.ts (src/core/{{domain}}/index.ts) and export what you need there.',
    },
  },
  create(context) {
    const file = rel(context.filename);
    if (!file.startsWith('src/')) return {};
    const own = coreDomain(file);
    // The command module and the composition root assemble the engine's parts: they may import them.
    if (own === 'commands' || file === 'src/core/engine.ts') return {};
    return eachImport(context, (node, target) => {
      const domain = coreDomain(target);
      if (!domain || domain === own) return;
      if (target === `src/core/${domain}/index.ts`) return;
      // Outside core, the host rule already names the one way in; this rule is about core's own parts.
      if (!own && HOST_ZONES.some((z) => file.startsWith(z))) return;
      context.report({ node, messageId: 'deep', data: { target, domain } });
    });
  },
};

export const boundaries = { rules: { 'host-imports': hostImports, 'no-deep-import': noDeepImport } };
