#!/usr/bin/env node
/* global process, console */
/**
 * Folder-level import loops under src/main/node and src/shared. Each folder
 * (and each file directly in the root, such as src/shared/crypto.ts) is one
 * unit; an import from one unit to another is an edge. A loop means two
 * capabilities lean on each other, so neither can be read, tested or moved
 * alone. Run by `npm test`; prints every loop with the imports that make it.
 * The layer order itself is enforced by the lint rule (scripts/eslint-layers.mjs).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const LAYER_ROOTS = ['src/main/node', 'src/shared'];
const SOURCE = /\.(?:ts|tsx|mts|mjs|js)$/;

/** The unit a path (relative to its layer root, "/"-separated) belongs to: its first folder, or a root-level file's name without extension. */
export function unitOf(relative) {
  const parts = relative.split('/');
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.[^.]+$/, '');
}

/** Every module a source text names: imports, exports from, import(), require(), and worker entries `new URL('…', import.meta.url)`. */
export function specifiersOf(text) {
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/new\s+URL\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g)) found.push(m[2]);
  return found;
}

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (SOURCE.test(entry.name)) out.push(p);
  }
  return out;
}

/**
 * Unit graph of one layer root: Map<unit, Map<unit, {file, specifier}>>, each
 * edge with the first import that makes it (relative paths from the root).
 * `files` is a list of {file, text} with `file` relative to the root; the
 * default reads the root from disk.
 */
export function unitGraph(files) {
  const graph = new Map();
  for (const { file } of files) if (!graph.has(unitOf(file))) graph.set(unitOf(file), new Map());
  for (const { file, text } of files) {
    const from = unitOf(file);
    for (const spec of specifiersOf(text)) {
      if (!spec.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec.split('?')[0]));
      if (target.startsWith('..')) continue;
      const to = unitOf(target);
      if (to === from) continue;
      if (!graph.has(to)) graph.set(to, new Map());
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, { file, specifier: spec });
    }
  }
  return graph;
}

export function readRoot(repo, root) {
  const abs = path.join(repo, root);
  if (!existsSync(abs)) return [];
  return walk(abs).map((p) => ({ file: path.relative(abs, p).split(path.sep).join('/'), text: readFileSync(p, 'utf8') }));
}

/**
 * Strongly connected components with more than one unit (Tarjan): each as
 * its sorted `units` and one concrete `loop` [a, b, …, a] through the first.
 */
export function findLoops(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((units) => ({ units, loop: loopThrough(graph, new Set(units), units[0]) }));
}

/** Shortest path from `start` back to itself inside one component (breadth first). */
function loopThrough(graph, members, start) {
  const previous = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const between = [];
        for (let u = v; u !== start; u = previous.get(u)) between.unshift(u);
        return [start, ...between, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The loop in words, one import per edge: what to change to break it. */
export function describeLoop(root, { units, loop }, graph) {
  const lines = [`${root}: ${units.length} units import one another in a loop (${units.join(', ')}); one loop is ${loop.join(' → ')}:`];
  for (let i = 0; i + 1 < loop.length; i++) {
    const edge = graph.get(loop[i]).get(loop[i + 1]);
    lines.push(`  ${root}/${edge.file} imports '${edge.specifier}' (${loop[i]} → ${loop[i + 1]})`);
  }
  return lines.join('\n');
}

export function checkRepo(repo) {
  const problems = [];
  const counts = [];
  for (const root of LAYER_ROOTS) {
    const graph = unitGraph(readRoot(repo, root));
    counts.push(`${root} (${graph.size} units)`);
    for (const found of findLoops(graph)) problems.push(describeLoop(root, found, graph));
  }
  return { problems, counts };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The repository this script is in, or the one named (the tests check a made-up tree).
  const repo = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const { problems, counts } = checkRepo(repo);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} folder-level import loop(s); imports must go one way (docs/architecture.md):\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log(`check-layers: no folder-level import loop in ${counts.join(' or ')}.`);
}
