/**
 * Node 20's V8 (11.3) aborts the whole process ("Fatal error … unreachable code",
 * in Deoptimizer::DoComputeBuiltinContinuation) when optimized code that inlined
 * a JS-to-Wasm call into cedar-wasm is lazily deoptimized: reproducible after some
 * tens of thousands of evaluations whose results are kept. Turning that one
 * inlining off avoids it (test/replay/v8-workaround.test.ts runs the repro).
 * The flag is process-wide and only affects calls into WebAssembly, which in
 * this app means Cedar. Imported by cedar.ts before cedar-wasm, so it is set in
 * every thread (worker or main) before any call into Cedar is compiled.
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--no-turbo-inline-js-wasm-calls');
