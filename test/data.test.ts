import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readRows } from '../src/data/rows.js';
import { parseDuration } from '../src/profile/duration.js';
import { jsonErrorOffset, lineColumn } from '../src/profile/json-position.js';
import { fixture, tempDir } from './helpers.js';

describe('data rows', () => {
  it('reads CSV with a header, quoted fields and numbers', () => {
    assert.deepEqual(readRows(fixture('rows.csv')), [
      { id: 1, value: 10, label: 'a, quoted' },
      { id: 2, value: 20, label: 'b' },
      { id: 3, value: 30, label: 'c' },
    ]);
  });

  it('reads JSON Lines and JSON arrays', () => {
    assert.deepEqual(readRows(fixture('rows.jsonl')), [{ id: 1, value: 10 }, { id: 2, value: 20 }]);
    const f = path.join(tempDir(), 'rows.json');
    writeFileSync(f, '[{"a":1},{"a":2}]');
    assert.equal(readRows(f).length, 2);
  });

  it('names the file and line of a malformed row', () => {
    assert.throws(() => readRows(fixture('bad-row.csv')), /bad-row\.csv:3: expected 2 fields/);
    assert.throws(() => readRows(fixture('bad-line.jsonl')), /bad-line\.jsonl:2: malformed JSON line/);
    const f = path.join(tempDir(), 'rows.json');
    writeFileSync(f, '[\n{"a":1},\n{"a":}\n]');
    assert.throws(() => readRows(f), /rows\.json:3/);
    const open = path.join(tempDir(), 'open.csv');
    writeFileSync(open, 'a,b\n1,2\n3,4\n"open,1\n5,6\n');
    assert.throws(() => readRows(open), /open\.csv:\d+: unterminated quoted field/);
    const after = path.join(tempDir(), 'after.csv');
    writeFileSync(after, 'a,b\n"x"y,2\n');
    assert.throws(() => readRows(after), /after\.csv:2: unexpected character after a quoted field/);
  });

  it('RFC 4180: a quoted field may span lines and hold doubled quotes; a later bad row still names its own line', () => {
    const f = path.join(tempDir(), 'multi.csv');
    const good = 'id,note,value\r\n1,"two\nlines, and ""quotes""",10\r\n2,plain,"20"\n\n3,"a\nb\nc",30\n';
    writeFileSync(f, `${good}4,short\n`);
    assert.throws(() => readRows(f), /multi\.csv:9: expected 3 fields as in the header, found 2/);
    writeFileSync(f, good);
    assert.deepEqual(readRows(f), [
      { id: 1, note: 'two\nlines, and "quotes"', value: 10 },
      { id: 2, note: 'plain', value: 20 },
      { id: 3, note: 'a\nb\nc', value: 30 },
    ]);
    const bad = path.join(tempDir(), 'span.csv');
    writeFileSync(bad, 'a,b\n"x\ny",1,extra\n');
    assert.throws(() => readRows(bad), /span\.csv:2: expected 2 fields as in the header, found 3/, 'the line a spanning record starts on');
  });

  it('refuses empty files and unknown types', () => {
    assert.throws(() => readRows(fixture('empty.jsonl')), (e: Error & { code?: string }) => e.code === 'STRAIN_DATA_EMPTY');
    const f = path.join(tempDir(), 'rows.txt');
    writeFileSync(f, 'x');
    assert.throws(() => readRows(f), /unsupported data file type/);
  });
});

describe('durations', () => {
  it('parses the documented forms', () => {
    assert.equal(parseDuration('500ms', 'x'), 500);
    assert.equal(parseDuration('30s', 'x'), 30_000);
    assert.equal(parseDuration('5m', 'x'), 300_000);
    assert.equal(parseDuration('2h', 'x'), 7_200_000);
    assert.equal(parseDuration('1m30s', 'x'), 90_000);
    assert.equal(parseDuration('1.5s', 'x'), 1500);
    assert.equal(parseDuration(250, 'x'), 250);
  });
  for (const bad of ['', '0s', '-1s', '10', '5 minutes', '1s2', 'ms', '1d']) {
    it(`refuses ${JSON.stringify(bad)} naming where`, () => {
      assert.throws(() => parseDuration(bad, '$.phases[0].duration'), /\$\.phases\[0\]\.duration/);
    });
  }
  it('refuses zero and negative numbers', () => {
    assert.throws(() => parseDuration(0, 'x'), /positive/);
    assert.throws(() => parseDuration(-5, 'x'), /positive/);
  });
});

describe('JSON error positions', () => {
  for (const [text, line, column] of [
    ['{"a": 1,}', 1, 9],
    ['{\n  "a": tru\n}', 2, 8],
    ['[1, 2\n', 2, 1],
    ['{"a": "x\\q"}', 1, 10],
    ['{"a": 1} x', 1, 10],
  ] as const) {
    it(JSON.stringify(text), () => {
      assert.throws(() => JSON.parse(text));
      assert.deepEqual(lineColumn(text, jsonErrorOffset(text)), { line, column });
    });
  }
  it('finds no error in valid JSON', () => {
    assert.equal(jsonErrorOffset('{"a": [1, 2.5e3, "x\\u00e9", true, null]}'), -1);
  });
});
