import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { build } from 'hdr-histogram-js';
import { callStats, latencyStats, mean } from '../src/analysis/stats.js';

const hist = (valuesNs: number[]) => {
  const h = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  for (const v of valuesNs) h.recordValue(v);
  return h;
};

describe('call and latency statistics', () => {
  it('latency in ms from a histogram in ns: 1, 2, 3 and 4 ms', () => {
    const s = latencyStats(hist([1e6, 2e6, 3e6, 4e6]));
    const near = (a: number, b: number): boolean => Math.abs(a - b) <= 0.001 * b; // 3 significant digits
    assert.ok(near(s.min, 1) && near(s.max, 4) && near(s.mean, 2.5), JSON.stringify(s));
    assert.ok(near(s.p50, 2) && near(s.p75, 3) && near(s.p90, 4) && near(s.p99, 4) && near(s.p999, 4), JSON.stringify(s));
    assert.ok(near(s.stddev, Math.sqrt(1.25)), String(s.stddev));
  });
  it('an empty histogram gives zeros', () => {
    assert.deepEqual(latencyStats(hist([])), { min: 0, mean: 0, stddev: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 });
  });
  it('counts, error rate over all calls, throughput of successes and of attempts per second', () => {
    const s = callStats(hist([1e6]), hist([2e6]), 100, 10, 2000);
    assert.equal(s.count, 100);
    assert.equal(s.errors, 10);
    assert.equal(s.errorRate, 0.1);
    assert.equal(s.throughput, 45);
    assert.equal(s.attemptThroughput, 50);
    assert.ok(Math.abs(s.failedLatencyMs.max - 2) < 0.01);
    const none = callStats(hist([]), hist([]), 0, 0, 0);
    assert.equal(none.errorRate, 0);
    assert.equal(none.throughput, 0);
    assert.equal(none.attemptThroughput, 0);
  });
  it('mean of a list, 0 for none', () => {
    assert.equal(mean([1, 2, 6]), 3);
    assert.equal(mean([]), 0);
  });
});
