/**
 * What `strain init` writes: a small extractor with setup, a data file it
 * reads, and a ramp profile pointing at both. Pure: the command decides where
 * the files go.
 */

export interface InitFile {
  name: string;
  text: string;
}

export interface InitOptions {
  /** The project's name (the profile's `name`). */
  name: string;
  /** A TypeScript extractor instead of an ES module. */
  typescript: boolean;
  /** Workers the ramp climbs to (the machine's cores). */
  cores: number;
  /** `$schema` as seen from the new profile (relative to it). */
  schemaPath: string;
}

const HEAD = `// The function strain measures. It is called once per call with the next
// row of data.csv (numbers already parsed) and a context: { workerId,
// iteration, state }. setup runs once in each worker before timing starts;
// what it returns is ctx.state.
`;

/** The one body both extractors share; only the signatures differ. */
const BODY = `  const s = ctx.state;
  s.prices.push(row.price);
  if (s.prices.length > s.window) s.prices.shift();
  let sum = 0;
  let squares = 0;
  for (const p of s.prices) {
    sum += p;
    squares += p * p;
  }
  const mean = sum / s.prices.length;
  return { mean, volatility: Math.sqrt(Math.max(0, squares / s.prices.length - mean * mean)), volume: row.volume };
}
`;

const SETUP_BODY = `  return { window: ctx.options?.window ?? 32, prices: [] };
}
`;

const MJS = `${HEAD}export function setup(ctx) {
${SETUP_BODY}
export default function extract(row, ctx) {
${BODY}`;

const TS = `${HEAD}interface Row { time: number; price: number; volume: number }
interface State { window: number; prices: number[] }

export function setup(ctx: { options?: { window?: number } }): State {
${SETUP_BODY}
export default function extract(row: Row, ctx: { state: State }): { mean: number; volatility: number; volume: number } {
${BODY}`;

/** 500 bars of a smooth price with a deterministic wobble: the same file every time. */
export function sampleCsv(rows = 500): string {
  const lines = ['time,price,volume'];
  for (let i = 0; i < rows; i++) {
    const price = 100 + 5 * Math.sin(i / 20) + ((i * 7919) % 100) / 100;
    lines.push(`${i},${price.toFixed(2)},${100 + ((i * 31) % 900)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function initFiles(o: InitOptions): InitFile[] {
  const extractor = o.typescript ? 'extractor.ts' : 'extractor.mjs';
  const profile = {
    $schema: o.schemaPath,
    name: o.name,
    description: `A ramp from 1 to ${o.cores} concurrent calls of the extractor, 2 s a level.`,
    extractor: `./${extractor}`,
    data: './data.csv',
    extractorOptions: { window: 32 },
    stepWarmup: '500ms',
    phases: [{ name: 'ramp', executor: 'ramping-concurrency', from: 1, to: Math.max(1, o.cores), stepDuration: '2s' }],
    thresholds: { latency: ['p(99)<50'], errors: ['rate<0.01'] },
  };
  return [
    { name: extractor, text: o.typescript ? TS : MJS },
    { name: 'data.csv', text: sampleCsv() },
    { name: 'profile.json', text: `${JSON.stringify(profile, null, 2)}\n` },
  ];
}
