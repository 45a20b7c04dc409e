/**
 * The shape of a simulated statistic over time, in closed form. A series is a base level times
 * (1 + slow waves + noise) plus spikes, sampled as one primary data point (PDP) every 5 seconds. Everything is
 * built so that the SUM of any run of PDPs costs O(1): waves integrate to cosines, and the noise of each level is
 * a difference of hashes between neighbouring blocks (`g(j) - g(j+1)`), which telescopes. So a 1-day row of the
 * year archive (17,280 PDPs) costs the same as a 5-second row, and every archive row is exactly the mean of the
 * finer rows it covers, as rrdtool's consolidation makes it.
 *
 * PDP `i` covers the host-time seconds [5i, 5i + 5).
 */
export const PDP_SECONDS = 5;

/** A slow oscillation, relative to the base level. */
export interface Wave {
  amp: number;
  /** Seconds. */
  period: number;
  /** Radians. */
  phase: number;
}

/** Noise that changes every `block` PDPs, relative to the base level, within ±amp. */
export interface NoiseLevel {
  block: number;
  amp: number;
  seed: number;
}

/** A float in [0, 1) from a seed and an index (any integer below 2^53). */
export function unitHash(seed: number, index: number): number {
  let h = Math.imul(seed ^ (index >>> 0), 0x9e3779b1);
  h ^= Math.floor(index / 4294967296);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Σ over PDPs a..b-1 of (1/5)∫ sin(2πt/period + phase) dt over each PDP. */
export function waveSum(period: number, phase: number, a: number, b: number): number {
  const k = (2 * Math.PI) / period;
  return (Math.cos(k * PDP_SECONDS * a + phase) - Math.cos(k * PDP_SECONDS * b + phase)) / (k * PDP_SECONDS);
}

/** Σ over PDPs a..b-1 of `g(⌊i/block⌋) - g(⌊i/block⌋ + 1)`, with g = unitHash(seed, ·): each term is within ±1. */
export function noiseSum(seed: number, block: number, a: number, b: number): number {
  if (b <= a) return 0;
  const ja = Math.floor(a / block);
  const jb = Math.floor((b - 1) / block);
  const ga = unitHash(seed, ja);
  const ga1 = unitHash(seed, ja + 1);
  if (ja === jb) return (b - a) * (ga - ga1);
  const gb = unitHash(seed, jb);
  // Head of the first block, whole blocks in between (they telescope), tail of the last block.
  return (block * (ja + 1) - a) * (ga - ga1) + block * (ga1 - gb) + (b - block * jb) * (gb - unitHash(seed, jb + 1));
}

/** Σ over PDPs a..b-1 of (1 + waves + noise): a series of base level 1. */
export function unitSum(waves: readonly Wave[], noise: readonly NoiseLevel[], a: number, b: number): number {
  if (b <= a) return 0;
  let sum = b - a;
  for (const w of waves) sum += w.amp * waveSum(w.period, w.phase, a, b);
  for (const n of noise) sum += n.amp * noiseSum(n.seed, n.block, a, b);
  return sum;
}

/** How far (relative) a series of these waves and noise can stray from its base level. */
export function maxDeviation(waves: readonly Wave[], noise: readonly NoiseLevel[]): number {
  return waves.reduce((s, w) => s + w.amp, 0) + noise.reduce((s, n) => s + n.amp, 0);
}

/** First PDP at or after time `t` (seconds). */
export const pdpAtOrAfter = (t: number): number => Math.ceil(t / PDP_SECONDS);

/** First PDP that starts after time `t` ends a run (the PDP containing `t` is incomplete). */
export const pdpBefore = (t: number): number => Math.floor(t / PDP_SECONDS);
