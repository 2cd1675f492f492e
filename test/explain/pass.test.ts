// The profiling pass end to end on real servers: a Python server under cProfile (injected by
// PYTHONPATH) whose view sits under two functools.wraps decorators, and a Node server under
// V8's CPU profiler. The after build doubles one function's work; that function must come out
// on top, named by file and line, with the wrappers folded away.

import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainEndpoints, type ExplainOptions } from '../../src/explain/index.js';
import { silentLogger } from '../../src/log.js';
import { ROOT } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'explain');
const PYTHON = '/usr/bin/python3';

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string, from = 0): number {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  return lines.findIndex((l, i) => i >= from && l.includes(text)) + 1;
}

function options(start: (work: number) => string): ExplainOptions {
  const requests = [1, 2, 3].map((n) => ({
    id: n,
    endpoint: 'GET /work',
    method: 'GET',
    path: `/work?n=${n}`,
    headers: {},
  }));
  return {
    mode: 'all',
    endpoints: ['GET /work', 'GET /missing'],
    requests,
    builds: {
      before: { cwd: FIXTURES, start: start(20_000) },
      after: { cwd: FIXTURES, start: start(40_000) },
    },
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    readiness: { kind: 'http', path: '/healthz', timeoutMs: 20_000 },
    noAslr: false,
    outDir: mkdtempSync(join(tmpdir(), 'perfgate-explain-')),
    warmup: 30,
    profiled: 60,
    maxDurationMs: 60_000,
  };
}

describe('the profiling pass', () => {
  it.skipIf(!existsSync(PYTHON))(
    'Python: the doubled helper is the top row, the decorators are folded into the view',
    async () => {
      const o = options((w) => `WORK=${w / 2} exec ${PYTHON} server.py`);
      const x = await explainEndpoints(o, new AbortController().signal, silentLogger);
      expect(x.endpoints).toHaveLength(1); // GET /missing has no requests
      const e = x.endpoints[0]!;
      expect(e.runtimes).toEqual(['python']);
      expect(e.requests).toEqual({ before: 60, after: 60 });
      const top = e.rows[0]!;
      expect(top.function).toBe(`server.py:${lineOf('server.py', 'def checksum')} checksum`);
      expect(top.self.change).toBeGreaterThan(0);
      // logged(timed(view)): both wrappers, and the view that only calls checksum, are folded.
      const names = e.rows.map((r) => r.name);
      expect(names).not.toContain('logged.<locals>.wrapper');
      expect(names).not.toContain('timed.<locals>.wrapper');
      // Python numbers a decorated function from its first decorator line.
      const wrapper = (deco: string) =>
        lineOf('server.py', '@functools.wraps', lineOf('server.py', `def ${deco}`));
      // The request handler above them is folded too when its own cost is as small (it is on
      // some Python builds, not on others): only server.py's handler may come first.
      const handler = top.via.slice(0, -3);
      expect(
        handler.every((f) => /^server\.py:\d+ Handler\.do_GET$/.test(f)),
        handler.join(),
      ).toBe(true);
      expect(top.via.slice(-3)).toEqual([
        `server.py:${wrapper('logged')} logged.<locals>.wrapper`,
        `server.py:${wrapper('timed')} timed.<locals>.wrapper`,
        `server.py:${lineOf('server.py', '@logged')} view`,
      ]);
      expect(e.wallMs).toBeGreaterThan(0);
      const svg = readFileSync(join(o.outDir, e.flameGraph!), 'utf8');
      expect(svg).toContain(top.function);
      expect(svg).not.toContain('timed.&lt;locals&gt;.wrapper');
      // Each process dumped at both marks of the window: the arbiter-less server is one process.
      const dumps = readdirSync(join(o.outDir, 'explain', 'profiles', 'after'));
      expect(dumps.filter((f) => /^\d+-[12]\.json$/.test(f))).toHaveLength(2);
    },
    90_000,
  );

  it.skipIf(!existsSync(PYTHON))(
    "Python timed by the thread's own perf_event_open counter (task-clock here, no PMU)",
    async () => {
      const o = {
        ...options((w) => `WORK=${w / 2} exec ${PYTHON} server.py`),
        pythonTimer: 'task-clock' as const,
      };
      const x = await explainEndpoints(o, new AbortController().signal, silentLogger);
      expect(x.method).toContain('Python timer in this run: task-clock.');
      const top = x.endpoints[0]!.rows[0]!;
      expect(top.name).toBe('checksum');
      expect(top.self.change).toBeGreaterThan(0);
    },
    90_000,
  );

  it('Node: the doubled scoring function is the top row, named by file and line', async () => {
    const o = options((w) => `WORK=${w * 20} exec node server.cjs`);
    const x = await explainEndpoints(o, new AbortController().signal, silentLogger);
    const e = x.endpoints[0]!;
    expect(e.runtimes).toEqual(['node']);
    const top = e.rows[0]!;
    expect(top.function).toBe(`server.cjs:${lineOf('server.cjs', 'function score')} score`);
    expect(top.self.change).toBeGreaterThan(0);
    expect(e.total.change).toBeGreaterThan(0);
    expect(readdirSync(join(o.outDir, 'explain', 'profiles', 'before'))).toContainEqual(
      expect.stringMatching(/^\d+\.cpuprofile$/),
    );
  }, 90_000);

  it('says when no attribution is available for the runtime', async () => {
    // Python without its site module (-S) never loads the agent: as good as another runtime.
    const o = options((w) => `WORK=${w / 10} exec ${PYTHON} -S -E server.py`);
    const x = await explainEndpoints(o, new AbortController().signal, silentLogger);
    expect(x.endpoints[0]!.note).toMatch(/no attribution available for this runtime/);
    expect(x.endpoints[0]!.rows).toEqual([]);
    expect(x.warnings.join('\n')).toMatch(/no attribution available/);
  }, 90_000);

  it('stops at the time cap and names the endpoints it left out', async () => {
    const o = { ...options((w) => `WORK=${w} exec node server.cjs`), maxDurationMs: 1 };
    const x = await explainEndpoints(o, new AbortController().signal, silentLogger);
    expect(x.endpoints).toEqual([]);
    expect(x.skipped).toEqual(['GET /work']);
    expect(x.warnings.join('\n')).toContain(
      'the time cap left 1 endpoint(s) unprofiled: GET /work',
    );
  }, 60_000);
});
