import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cycles, importGraph } from './import-graph.js';

const CORE = path.resolve('src/core');

describe('src/core has no import cycle', () => {
  it('no module of src/core imports (through others) itself at runtime', () => {
    const g = importGraph(CORE);
    expect(g.size).toBeGreaterThan(100); // the walker did see the engine
    const found = cycles(g).map((c) => c.map((f) => path.relative(CORE, f)));
    expect(found).toEqual([]);
  });

  it('egress flows one way even counting type imports: the handlers know the ProxyAgent interface, not agent-proxy.ts', () => {
    const egress = path.join(CORE, 'egress');
    const g = importGraph(egress, { types: true });
    expect(cycles(g).map((c) => c.map((f) => path.relative(egress, f)))).toEqual([]);
    const proxy = path.join(egress, 'agent-proxy.ts');
    const importers = [...g].filter(([, deps]) => deps.includes(proxy)).map(([f]) => path.basename(f));
    // Only the composition (egress.ts), the sandbox glue (the socket's name) and the barrel.
    expect(importers.filter((f) => !['egress.ts', 'glue.ts', 'index.ts'].includes(f))).toEqual([]);
  });
});

describe('the cycle check fires', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'paddock-cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };

  it('reports a three-file runtime cycle (.js specifiers resolved to .ts, folders to index.ts)', () => {
    write('a/a.ts', "import { b } from '../b.js';\nexport const a = () => b;\n");
    write('b.ts', "import { c } from './c/index.js';\nexport const b = 1;\nexport const use = c;\n");
    write('c/index.ts', "export { a as c } from '../a/a.js';\n");
    write('leaf.ts', "import { b } from './b.js';\nexport const leaf = b;\n");
    const found = cycles(importGraph(dir)).map((c) => c.map((f) => path.relative(dir, f)));
    expect(found).toEqual([['a/a.ts', 'b.ts', 'c/index.ts']]);
  });

  it('ignores edges the compiler erases (import type, all-type named imports, export type)', () => {
    const d2 = path.join(dir, 'typed');
    mkdirSync(d2);
    writeFileSync(path.join(d2, 'x.ts'), "import type { Y } from './y.js';\nexport interface X { y?: Y }\nexport const x = 1;\n");
    writeFileSync(path.join(d2, 'y.ts'), "import { type X } from './x.js';\nexport type { X as XX } from './x.js';\nexport interface Y { x?: X }\n");
    expect(cycles(importGraph(d2))).toEqual([]);
    // One value import each way is a cycle; a value import one way only is not.
    writeFileSync(path.join(d2, 'y.ts'), "import { x, type X } from './x.js';\nexport interface Y { x?: X }\nexport const y = x;\n");
    expect(cycles(importGraph(d2))).toEqual([]);
    writeFileSync(path.join(d2, 'x.ts'), "import { y, type Y } from './y.js';\nexport interface X { y?: Y }\nexport const x = 1;\nexport const z = y;\n");
    expect(cycles(importGraph(d2)).map((c) => c.map((f) => path.basename(f)))).toEqual([['x.ts', 'y.ts']]);
    // Counting type imports (the egress check), the type-only pair is a cycle too.
    writeFileSync(path.join(d2, 'x.ts'), "import type { Y } from './y.js';\nexport interface X { y?: Y }\nexport const x = 1;\n");
    expect(cycles(importGraph(d2))).toEqual([]);
    expect(cycles(importGraph(d2, { types: true }))).toHaveLength(1);
  });

  it('reports a file importing itself', () => {
    const d3 = path.join(dir, 'self');
    mkdirSync(d3);
    writeFileSync(path.join(d3, 's.ts'), "import { s as t } from './s.js';\nexport const s = 1;\nexport const u = t;\n");
    expect(cycles(importGraph(d3))).toHaveLength(1);
  });
});
