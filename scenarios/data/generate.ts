/**
 * Deterministic OHLCV data for the four market conditions the scenarios use.
 * Same seed, same bytes: test/scenarios.test.ts regenerates and compares with
 * the committed files. Run: npm run gen:data
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gaussian, seededRandom } from '../../src/analysis/random.js';

export interface MarketCondition {
  name: string;
  seed: number;
  bars: number;
  /** Per-bar volatility of log returns. */
  sigma: number;
  /** Chance per bar of a jump, and its size in sigmas. */
  jumpChance: number;
  jumpSigmas: number;
  baseVolume: number;
  /** Volume and volatility multiplier at the first bar, decaying to 1 (market open). */
  openBurst: number;
  /** Seconds between bars. */
  barSeconds: number;
  startPrice: number;
}

export const CONDITIONS: readonly MarketCondition[] = [
  { name: 'normal-trading', seed: 101, bars: 2000, sigma: 0.0008, jumpChance: 0.002, jumpSigmas: 4, baseVolume: 1200, openBurst: 1, barSeconds: 60, startPrice: 100 },
  { name: 'market-open', seed: 202, bars: 2000, sigma: 0.0015, jumpChance: 0.01, jumpSigmas: 5, baseVolume: 3000, openBurst: 6, barSeconds: 5, startPrice: 100 },
  { name: 'high-volatility', seed: 303, bars: 2000, sigma: 0.004, jumpChance: 0.03, jumpSigmas: 6, baseVolume: 2500, openBurst: 1, barSeconds: 60, startPrice: 100 },
  { name: 'overnight', seed: 404, bars: 2000, sigma: 0.0002, jumpChance: 0.0005, jumpSigmas: 3, baseVolume: 150, openBurst: 1, barSeconds: 300, startPrice: 100 },
];

const START = Date.UTC(2026, 0, 5, 14, 30) / 1000;

export function generateCsv(c: MarketCondition): string {
  const rand = seededRandom(c.seed);
  const lines = ['ts,open,high,low,close,volume'];
  let price = c.startPrice;
  for (let i = 0; i < c.bars; i++) {
    const burst = 1 + (c.openBurst - 1) * Math.exp(-i / 60);
    const sigma = c.sigma * Math.sqrt(burst);
    const open = price;
    let r = sigma * gaussian(rand);
    if (rand() < c.jumpChance) r += (rand() < 0.5 ? -1 : 1) * c.jumpSigmas * sigma;
    const close = open * Math.exp(r);
    const wick = Math.abs(sigma * gaussian(rand)) * open;
    const high = Math.max(open, close) + wick * rand();
    const low = Math.min(open, close) - wick * rand();
    const volume = Math.round(c.baseVolume * burst * (0.5 + rand()) * (1 + Math.abs(r) / sigma / 2));
    lines.push([START + i * c.barSeconds, open.toFixed(4), high.toFixed(4), low.toFixed(4), close.toFixed(4), volume].join(','));
    price = close;
  }
  return `${lines.join('\n')}\n`;
}

export const DATA_DIR = fileURLToPath(new URL('../../../scenarios/data/', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(DATA_DIR, { recursive: true });
  for (const c of CONDITIONS) writeFileSync(`${DATA_DIR}${c.name}.csv`, generateCsv(c));
  process.stdout.write(`wrote ${CONDITIONS.length} data files to ${DATA_DIR}\n`);
}
