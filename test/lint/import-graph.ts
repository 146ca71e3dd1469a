/**
 * A small import-graph walker over TypeScript sources, for the no-cycle check
 * (test/lint/cycles.test.ts). Runtime edges only: `import type …`, `export type … from` and
 * imports whose every named binding is `type X` are erased by the compiler, so they cannot
 * make a module load before its dependency. Dynamic `import()` is a deliberate lazy edge and
 * is not counted. Relative specifiers are resolved the way tsc (NodeNext) writes them:
 * `./x.js` → `./x.ts` / `./x.tsx`, a folder → its `index.ts`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Every .ts/.tsx file under `dir` (recursively), absolute paths. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Which edges count: runtime ones only (default), or type-only imports as well. */
export interface GraphOptions {
  types?: boolean;
}

/** The relative module specifiers a file imports at runtime (and type-only, with `types`). */
export function runtimeImports(file: string, text = readFileSync(file, 'utf8'), opts: GraphOptions = {}): string[] {
  const erased = (b: boolean): boolean => b && !opts.types;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const c = st.importClause;
      if (erased(!!c?.isTypeOnly)) continue;
      const named = c?.namedBindings;
      // `import { type A, type B } from` is erased (verbatimModuleSyntax is off); `import './x.js'` is not.
      if (erased(!!c && !c.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly))) continue;
      out.push((st.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      if (erased(st.isTypeOnly)) continue;
      const ec = st.exportClause;
      if (erased(!!ec && ts.isNamedExports(ec) && ec.elements.length > 0 && ec.elements.every((e) => e.isTypeOnly))) continue;
      out.push((st.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out.filter((s) => s.startsWith('.'));
}

/** Resolves a relative specifier from `from` to a source file, or null (a non-source import). */
export function resolveImport(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|cjs|jsx)$/, '');
  for (const c of [`${stem}.ts`, `${stem}.tsx`, base]) if (existsSync(c) && statSync(c).isFile() && /\.tsx?$/.test(c)) return c;
  for (const c of [path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) if (existsSync(c)) return c;
  return null;
}

/** The import graph of every source file under `root` (edges leaving `root` are dropped). */
export function importGraph(root: string, opts: GraphOptions = {}): Map<string, string[]> {
  const files = sourceFiles(root);
  const inside = new Set(files);
  const g = new Map<string, string[]>();
  for (const f of files) {
    const deps = runtimeImports(f, undefined, opts)
      .map((s) => resolveImport(f, s))
      .filter((d): d is string => d !== null && inside.has(d));
    g.set(f, [...new Set(deps)]);
  }
  return g;
}

/** Strongly connected components with more than one file (or a file importing itself): each is a cycle. */
export function cycles(g: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative (deep graphs must not overflow the stack).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const start of g.keys()) {
    if (idx.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const deps = g.get(top.v) ?? [];
      if (top.i < deps.length) {
        const w = deps[top.i++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === idx.get(top.v)) {
        const comp: string[] = [];
        for (let w: string | undefined; (w = stack.pop()) !== undefined; ) {
          onStack.delete(w);
          comp.push(w);
          if (w === top.v) break;
        }
        if (comp.length > 1 || (g.get(top.v) ?? []).includes(top.v)) out.push(comp.sort());
      }
    }
  }
  return out;
}
