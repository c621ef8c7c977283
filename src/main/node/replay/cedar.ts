/**
 * The one place Node code calls cedar-wasm. The package's default export is
 * built for bundlers; under plain Node (CLI, workers, tests) the `nodejs`
 * build loads the wasm synchronously.
 *
 * A call that traps inside the wasm (a stack overflow shows as "memory access
 * out of bounds") leaves that instance broken: its stack pointer is never
 * restored, so every later call traps too. `reloadCedar()` drops the instance
 * and loads a fresh one in this thread; `cedar` is a live binding, so every
 * importer sees the new one. Whatever was preparsed in the old instance is
 * gone: callers that preparse compare `cedar` with the instance they
 * preparsed in (cedar-evaluator.ts).
 */
import './v8-wasm-workaround';
import { createRequire } from 'node:module';
import type * as CedarWasm from '@cedar-policy/cedar-wasm/nodejs';

export type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
export type CedarModule = typeof CedarWasm;

// Not named `require`: the bundler declares its own in the built workers.
const loadCjs = createRequire(import.meta.url);
const MODULE_PATH = loadCjs.resolve('@cedar-policy/cedar-wasm/nodejs');

function load(): CedarModule {
  // The glue keeps its instance in module scope: taken out of the require cache, it is loaded
  // anew, with a new instance and new memory (about 20-30 ms, measured).
  delete loadCjs.cache[MODULE_PATH];
  return loadCjs(MODULE_PATH) as CedarModule;
}

export let cedar: CedarModule = load();

/** Replace this thread's Cedar instance with a fresh one (after a call threw or trapped). */
export function reloadCedar(): void {
  cedar = load();
}
