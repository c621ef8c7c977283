/**
 * How hard the fuzz suites push. Defaults keep `npm test` quick; for a long
 * run set FUZZ_RUNS (multiplies every property's run count) and FUZZ_SEED
 * (replays a run: fast-check prints the seed and path of any failure).
 *
 *   FUZZ_RUNS=50 FUZZ_SEED=42 npx vitest run test/hostile
 */
export const FUZZ_SCALE = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1) || 1);
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** fast-check parameters for a property with `base` runs by default. */
export function runs(base: number): { numRuns: number; seed?: number } {
  return { numRuns: Math.round(base * FUZZ_SCALE), ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) };
}
