/**
 * The one place Node code calls cedar-wasm. The package's default export is
 * built for bundlers; under plain Node (CLI, workers, tests) the `nodejs`
 * build loads the wasm synchronously.
 */
import './v8-wasm-workaround';

export * as cedar from '@cedar-policy/cedar-wasm/nodejs';
export type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
