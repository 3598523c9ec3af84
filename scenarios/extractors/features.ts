/**
 * Demo extractor: trading features over a rolling window of OHLCV bars.
 * Each call appends one bar to the worker's window (kept in `ctx.state`) and
 * recomputes SMA, EMA, MACD, RSI, Bollinger bands, rolling volatility and
 * VWAP over the whole window: CPU-bound, allocation-light, deterministic.
 */
export interface Bar {
  ts: number | string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface Features {
  close: number;
  sma20: number;
  sma50: number;
  ema12: number;
  ema26: number;
  macd: number;
  macdSignal: number;
  macdHistogram: number;
  rsi14: number;
  bollingerMid: number;
  bollingerUpper: number;
  bollingerLower: number;
  percentB: number;
  volatility20: number;
  vwap: number;
}

export interface WindowState {
  size: number;
  bars: Bar[];
}

export function setup(ctx: { options?: unknown }): WindowState {
  const opts = (ctx.options ?? {}) as { window?: number };
  return { size: Math.max(60, opts.window ?? 200), bars: [] };
}

function sma(xs: readonly number[], n: number): number {
  const k = Math.min(n, xs.length);
  let s = 0;
  for (let i = xs.length - k; i < xs.length; i++) s += xs[i] as number;
  return s / k;
}

/** EMA series seeded with the first value (alpha = 2 / (n + 1)). */
function emaSeries(xs: readonly number[], n: number): number[] {
  const alpha = 2 / (n + 1);
  const out = new Array<number>(xs.length);
  let e = xs[0] as number;
  for (let i = 0; i < xs.length; i++) {
    e = i === 0 ? e : alpha * (xs[i] as number) + (1 - alpha) * e;
    out[i] = e;
  }
  return out;
}

/** Wilder's RSI over the whole series; 100 when there are no losses. */
function rsi(xs: readonly number[], n: number): number {
  if (xs.length < 2) return 50;
  let gain = 0;
  let loss = 0;
  const first = Math.min(n, xs.length - 1);
  for (let i = 1; i <= first; i++) {
    const d = (xs[i] as number) - (xs[i - 1] as number);
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= first;
  loss /= first;
  for (let i = first + 1; i < xs.length; i++) {
    const d = (xs[i] as number) - (xs[i - 1] as number);
    gain = (gain * (n - 1) + Math.max(d, 0)) / n;
    loss = (loss * (n - 1) + Math.max(-d, 0)) / n;
  }
  return loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
}

function stddev(xs: readonly number[], n: number): number {
  const k = Math.min(n, xs.length);
  const m = sma(xs, k);
  let s = 0;
  for (let i = xs.length - k; i < xs.length; i++) s += ((xs[i] as number) - m) ** 2;
  return Math.sqrt(s / k);
}

/** All features over a window of bars, oldest first. */
export function computeFeatures(bars: readonly Bar[]): Features {
  const closes = bars.map((b) => b.close);
  const ema12 = emaSeries(closes, 12);
  const ema26 = emaSeries(closes, 26);
  const macdLine = ema12.map((v, i) => v - (ema26[i] as number));
  const signal = emaSeries(macdLine, 9);
  const logReturns: number[] = [];
  for (let i = 1; i < closes.length; i++) logReturns.push(Math.log((closes[i] as number) / (closes[i - 1] as number)));
  let pv = 0;
  let vol = 0;
  for (const b of bars) {
    pv += ((b.high + b.low + b.close) / 3) * b.volume;
    vol += b.volume;
  }
  const close = closes[closes.length - 1] as number;
  const mid = sma(closes, 20);
  const sd = stddev(closes, 20);
  const upper = mid + 2 * sd;
  const lower = mid - 2 * sd;
  const macd = macdLine[macdLine.length - 1] as number;
  const macdSignal = signal[signal.length - 1] as number;
  return {
    close,
    sma20: mid,
    sma50: sma(closes, 50),
    ema12: ema12[ema12.length - 1] as number,
    ema26: ema26[ema26.length - 1] as number,
    macd,
    macdSignal,
    macdHistogram: macd - macdSignal,
    rsi14: rsi(closes, 14),
    bollingerMid: mid,
    bollingerUpper: upper,
    bollingerLower: lower,
    percentB: upper === lower ? 0.5 : (close - lower) / (upper - lower),
    volatility20: logReturns.length ? stddev(logReturns, 20) * Math.sqrt(252 * 390) : 0,
    vwap: vol === 0 ? close : pv / vol,
  };
}

export default function features(bar: Bar, ctx: { state: WindowState }): Features {
  const w = ctx.state;
  w.bars.push(bar);
  if (w.bars.length > w.size) w.bars.shift();
  return computeFeatures(w.bars);
}

/**
 * A cheap price query: the last close and its 20-bar average over the same
 * window. The mix scenario (scenarios/mixed-queries.json) sends most calls here.
 */
export function quote(bar: Bar, ctx: { state: WindowState }): { close: number; sma20: number } {
  const w = ctx.state;
  w.bars.push(bar);
  if (w.bars.length > w.size) w.bars.shift();
  return { close: Number(bar.close), sma20: sma(w.bars.map((b) => Number(b.close)), 20) };
}
