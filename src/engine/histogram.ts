import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/**
 * One histogram configuration for the whole engine: nanoseconds, 3 significant
 * digits (0.1% precision), auto-resizing, 64-bit float counts so a long run
 * cannot overflow a bucket. JS build: the coordinator adds and decodes, it does
 * not record per call, so WASM's start-up cost buys nothing there.
 */
export const SIGNIFICANT_DIGITS = 3;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 32,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    autoResize: true,
    useWebAssembly: false,
  });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

export type { Histogram };
