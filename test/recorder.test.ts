import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeHistogram, newHistogram } from '../src/engine/histogram.js';
import { addSparse, bucketIndexOf, FastRecorder, MAX_RECORDABLE_NS, valueOfIndex } from '../src/engine/recorder.js';
import { seededRandom } from '../src/analysis/random.js';

describe('FastRecorder', () => {
  it('folds into exactly the histogram per-call recordValue would build', () => {
    const rand = seededRandom(7);
    const direct = newHistogram();
    const folded = newHistogram();
    const rec = new FastRecorder();
    for (let i = 0; i < 200_000; i++) {
      // log-uniform over 1 ns .. 100 s, so every bucket range is exercised, including > 2^32
      const v = Math.floor(Math.exp(rand() * Math.log(1e11)));
      direct.recordValue(v);
      rec.record(v);
    }
    rec.drainInto(folded);
    assert.equal(folded.totalCount, direct.totalCount);
    for (const p of [0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) {
      assert.equal(folded.getValueAtPercentile(p), direct.getValueAtPercentile(p), `p${p}`);
    }
    assert.equal(encodeHistogram(folded), encodeHistogram(direct), 'encoded bytes are identical');
  });

  it('maps index ↔ value consistently at bucket edges', () => {
    for (const v of [0, 1, 2047, 2048, 2049, 4095, 4096, 1_000_000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const lo = valueOfIndex(bucketIndexOf(v));
      assert.ok(lo <= v, `${lo} <= ${v}`);
      assert.equal(bucketIndexOf(lo), bucketIndexOf(v));
    }
  });

  it('sparse pairs on the wire fold into the same histogram, and malformed pairs are refused before anything is added', () => {
    const rand = seededRandom(11);
    const direct = newHistogram();
    const rec = new FastRecorder();
    for (let i = 0; i < 50_000; i++) {
      const v = Math.floor(Math.exp(rand() * Math.log(1e12)));
      direct.recordValue(Math.min(v, MAX_RECORDABLE_NS));
      rec.record(v);
    }
    const { pairs, count } = rec.takeSparse();
    assert.equal(count, 50_000);
    const folded = newHistogram();
    assert.equal(addSparse(pairs, folded), 50_000);
    assert.equal(encodeHistogram(folded), encodeHistogram(direct));
    assert.equal(rec.takeSparse().count, 0, 'taking resets');
    const target = newHistogram();
    assert.throws(() => addSparse(new Float64Array([5, 1, 3]), target), /pairs/);
    assert.throws(() => addSparse(new Float64Array([5, 1, 1e9, 2]), target), /bad sparse pair/);
    assert.throws(() => addSparse(new Float64Array([5, -1]), target), /bad sparse pair/);
    assert.equal(target.totalCount, 0, 'nothing was added from a malformed array');
  });

  it('resets after draining', () => {
    const h = newHistogram();
    const rec = new FastRecorder();
    rec.record(5);
    rec.drainInto(h);
    h.reset();
    rec.drainInto(h);
    assert.equal(h.totalCount, 0);
  });
});
