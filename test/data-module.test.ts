import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { readRows, readSharedRows } from '../src/data/rows.js';
import { SHARE_ROWS_BYTES, shareRows, sharedRowReader } from '../src/data/shared-rows.js';
import { prepareRun, runStress } from '../src/run.js';
import { captureIo, fixture, tempDir } from './helpers.js';

interface Seen { rows: number | 'Infinity'; seen: string[] }

/** What each worker's calls saw, in order (record-rows.mjs writes it at teardown). */
function seenBy(dir: string): Map<number, Seen> {
  const out = new Map<number, Seen>();
  for (const f of readdirSync(dir).filter((n) => n.startsWith('rows-'))) {
    const lines = readFileSync(path.join(dir, f), 'utf8').trim().split('\n');
    out.set(Number(f.slice(5)), JSON.parse(lines.at(-1)!) as Seen);
  }
  return out;
}

describe('data modules: rows made in each worker, not cloned from the coordinator', () => {
  it('a function of (index, workerId): every call gets the next index of its own worker, and setup is told the rows are unbounded', async () => {
    const dir = tempDir();
    const r = await runStress({
      extractor: fixture('record-rows.mjs'), extractorOptions: { dir }, data: fixture('rows-by-index.mjs'),
      phases: [{ executor: 'iterations', iterations: 400, concurrency: 2 }],
    });
    assert.equal(r.total.count, 400);
    assert.equal(r.total.errors, 0, JSON.stringify(r.errors));
    assert.equal(r.meta.data, fixture('rows-by-index.mjs'));
    const seen = seenBy(dir);
    let calls = 0;
    for (const [w, s] of seen) {
      assert.equal(s.rows, 'Infinity', 'setup: rows made on demand');
      assert.deepEqual(s.seen, s.seen.map((_, i) => JSON.stringify({ index: i, workerId: w })), `worker ${w} saw its own indices in order`);
      calls += s.seen.length;
    }
    assert.equal(calls, 400, 'one row per call, none skipped or repeated');
  });

  it('a generator: its rows in order, started again when it ends (rows cycle, as a file\'s do)', async () => {
    const dir = tempDir();
    const r = await runStress({
      extractor: fixture('record-rows.mjs'), extractorOptions: { dir }, data: fixture('rows-generator.mjs'),
      phases: [{ executor: 'iterations', iterations: 8, concurrency: 1 }],
    });
    assert.equal(r.total.count, 8);
    const [s] = [...seenBy(dir).values()];
    assert.deepEqual(s!.seen.map((x) => (JSON.parse(x) as { name: string }).name).join(''), 'abcabcab');
  });

  it('a TypeScript module exporting an array of rows: those rows, cycled, and setup counts them', async () => {
    const dir = tempDir();
    await runStress({
      extractor: fixture('record-rows.mjs'), extractorOptions: { dir }, data: fixture('rows-array.ts'),
      phases: [{ executor: 'iterations', iterations: 6, concurrency: 1 }],
    });
    const [s] = [...seenBy(dir).values()];
    assert.equal(s!.rows, 4);
    assert.deepEqual(s!.seen.map((x) => (JSON.parse(x) as { close: number }).close), [1, 2, 3, 4, 1, 2]);
  });

  it('open loop and a mix: each function draws from its own source of the profile\'s module', async () => {
    const dir = tempDir();
    const r = await runStress({
      mix: [
        { name: 'one', extractor: fixture('record-rows.mjs'), weight: 1, extractorOptions: { dir: path.join(dir, 'one') } },
        { name: 'two', extractor: fixture('record-rows.mjs'), weight: 1, extractorOptions: { dir: path.join(dir, 'two') } },
      ],
      data: fixture('rows-by-index.mjs'),
      phases: [{ executor: 'constant-arrival-rate', rate: 200, duration: '500ms', maxConcurrency: 1 }],
    }, {});
    assert.ok(r.total.count > 50, String(r.total.count));
    for (const name of ['one', 'two']) {
      const s = seenBy(path.join(dir, name)).get(0)!;
      assert.ok(s.seen.length > 10, `${name} was called`);
      assert.deepEqual(s.seen.map((x) => (JSON.parse(x) as { index: number }).index), s.seen.map((_, i) => i), `${name}'s own cursor from 0`);
    }
  });

  it('a module that exports no rows: exit 3 from the CLI, naming the module and what it must export', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({ extractor: fixture('noop.mjs'), data: fixture('rows-bad.mjs'), phases: [{ executor: 'iterations', iterations: 5 }] }));
    const io = captureIo(dir);
    assert.equal(await main(['run', 'p.json', '--out', 'out', '--quiet'], io), 3);
    assert.match(io.err.join(''), /STRAIN_EXTRACTOR_LOAD.*data module .*rows-bad\.mjs exports neither rows \(an array\), a generator function nor a function of \(index, workerId\)/s);
  });
});

describe('a data module that throws while making a row', () => {
  it('ends that worker like a crash: a fault in the report, the worker replaced, the run completes with the calls counted', async () => {
    const r = await runStress({
      extractor: fixture('noop.mjs'), data: fixture('rows-throw-once.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '600ms' }],
    });
    assert.equal(r.status, 'completed');
    assert.equal(r.faults.length, 1, JSON.stringify(r.faults));
    assert.equal(r.faults[0]!.kind, 'crash');
    assert.match(r.faults[0]!.message, /data module .*rows-throw-once\.mjs threw while making a row: row 30 cannot be made/);
    assert.ok(r.total.count > 100, `${r.total.count} calls after the replacement`);
  });
});

describe('large data files: rows held once for all workers', () => {
  it('round trip: numbers, strings, mixed and missing values, non-ASCII text; rows of different shapes kept whole; a __proto__ key kept safely', () => {
    const rows = [
      { t: 1.5, sym: 'ÅBC', note: null, v: -0 },
      { t: 2, sym: '', note: 'x', v: 1e-300 },
      { t: NaN, sym: 'z', note: undefined, v: Infinity },
    ];
    const s = shareRows(rows);
    assert.deepEqual(s.kinds, ['num', 'str', 'json', 'num']);
    const read = sharedRowReader(s);
    assert.deepEqual([0, 1, 2].map(read), rows);
    assert.ok(Object.is((read(0) as { v: number }).v, -0));
    assert.notEqual(read(0), read(0), 'each read is a fresh object: a call may change its row');
    const odd = [{ a: 1 }, { b: [1, 2] }, [3], 'four', 5];
    const w = shareRows(odd);
    assert.deepEqual(w.keys, []);
    assert.deepEqual(odd.map((_, i) => sharedRowReader(w)(i)), odd);
    const proto = JSON.parse('[{"__proto__": {"polluted": 1}, "x": 1}]') as unknown[];
    const p = sharedRowReader(shareRows(proto))(0) as Record<string, unknown>;
    assert.deepEqual(Object.keys(p), ['__proto__', 'x']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('a CSV of over 1 MiB: every worker reads the file\'s rows in order from its own cursor, as numbers where they are numbers', async () => {
    const dir = tempDir();
    const lines = ['i,close,sym'];
    for (let i = 0; i < 70_000; i++) lines.push(`${i},${(100 + i / 7).toFixed(4)},S${i % 13}`);
    const csv = path.join(dir, 'bars.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    assert.ok(statSync(csv).size >= SHARE_ROWS_BYTES, 'the file is past the sharing size');
    const prepared = prepareRun({ extractor: fixture('record-rows.mjs'), extractorOptions: { dir }, data: csv, phases: [{ executor: 'iterations', iterations: 600, concurrency: 2 }] });
    assert.equal(prepared.rows.length, 0, 'no rows cloned into the tasks');
    assert.equal(prepared.sharedRows?.count, 70_000);
    const r = await runStress({ extractor: fixture('record-rows.mjs'), extractorOptions: { dir }, data: csv, phases: [{ executor: 'iterations', iterations: 600, concurrency: 2 }] });
    assert.equal(r.total.count, 600);
    let calls = 0;
    for (const s of seenBy(dir).values()) {
      assert.equal(s.rows, 70_000, 'setup is told how many rows there are');
      s.seen.forEach((x, i) => assert.deepEqual(JSON.parse(x), { i, close: Number((100 + i / 7).toFixed(4)), sym: `S${i % 13}` }));
      calls += s.seen.length;
    }
    assert.equal(calls, 600);
  });
});

describe('a large CSV is encoded as it is parsed', () => {
  it('the same rows as the small-file path, columns that change kind midway included; a malformed record still names file:line', () => {
    const dir = tempDir();
    const lines = ['n,s,flip,mixed'];
    for (let i = 0; i < 2000; i++) lines.push(`${i},"q,${i}",${i < 1500 ? i : `x${i}`},${i % 2 ? i : `"a""b${i}"`}`);
    const csv = path.join(dir, 'flip.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const rows = readRows(csv);
    const shared = readSharedRows(csv);
    assert.deepEqual(shared.kinds, ['num', 'str', 'json', 'json']);
    const read = sharedRowReader(shared);
    assert.equal(shared.count, rows.length);
    for (let i = 0; i < rows.length; i++) assert.deepEqual(read(i), rows[i], `row ${i}`);
    writeFileSync(csv, `${lines.slice(0, 1200).join('\n')}\n1,2\n${lines.slice(1200).join('\n')}\n`);
    assert.throws(() => readSharedRows(csv), (e: Error & { code?: string; where?: string }) => e.code === 'STRAIN_DATA_PARSE' && /flip\.csv:1201$/.test(e.where ?? '') && /expected 4 fields/.test(e.message));
  });
});
