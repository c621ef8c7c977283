#!/usr/bin/env node
/* global process, console */
/**
 * Exports used nowhere: an `export` in src/ that no other file of the repo
 * (src, test, bench, scripts, bin) imports and its own file never uses is
 * dead code. (One used only in its own file, say a type in an exported
 * signature, is left alone, as knip's ignoreExportsUsedInFile does.)
 * Parse-only (no type checking), so it runs in a second; run by `npm test`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SOURCE = /\.(?:ts|tsx|mts|mjs|js)$/;
const RESOLVE = ['', '.ts', '.tsx', '.mts', '.mjs', '.js', '/index.ts'];

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'corpus' && entry.name !== 'vectors') walk(p, out);
    } else if (SOURCE.test(entry.name)) out.push(p);
  }
  return out;
}

function resolve(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier.split('?')[0]);
  for (const ext of RESOLVE) if (existsSync(base + ext) && statSync(base + ext).isFile()) return base + ext;
  return null;
}

const has = (node, kind) => ts.getModifiers?.(node)?.some((m) => m.kind === kind) ?? false;

/** Names a file exports (its own declarations and local `export { … }`). */
export function exportsOf(source) {
  const names = [];
  for (const st of source.statements) {
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) names.push(e.name.text);
    } else if (ts.isExportAssignment(st)) names.push('default');
    else if (has(st, ts.SyntaxKind.ExportKeyword)) {
      if (has(st, ts.SyntaxKind.DefaultKeyword)) names.push('default');
      else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
      } else if (st.name && ts.isIdentifier(st.name)) names.push(st.name.text);
    }
  }
  return names;
}

/** What a file takes from each module it names: Map<resolved file, Set<name | '*'>>. */
export function importsOf(file, source) {
  const used = new Map();
  const take = (specifier, names) => {
    if (!specifier.startsWith('.')) return;
    const target = resolve(file, specifier);
    if (!target) return;
    if (!used.has(target)) used.set(target, new Set());
    for (const n of names) used.get(target).add(n);
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const names = [];
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        if (clause?.name) names.push('default');
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
        if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.push((e.propertyName ?? e.name).text);
      } else if (node.exportClause && ts.isNamedExports(node.exportClause)) {
        for (const e of node.exportClause.elements) names.push((e.propertyName ?? e.name).text);
      } else names.push('*');
      take(node.moduleSpecifier.text, names);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      take(node.arguments[0].text, ['*']);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      take(node.argument.literal.text, [node.qualifier && ts.isIdentifier(node.qualifier) ? node.qualifier.text : '*']);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return used;
}

export function unusedExports(repo) {
  const all = ['src', 'test', 'bench', 'scripts', 'bin'].flatMap((d) => walk(path.join(repo, d)));
  for (const f of ['electron.vite.config.ts', 'vitest.config.ts', 'eslint.config.js']) if (existsSync(path.join(repo, f))) all.push(path.join(repo, f));
  const parsed = new Map(all.map((f) => [f, ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, false, f.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)]));
  const used = new Map();
  for (const [file, source] of parsed) {
    for (const [target, names] of importsOf(file, source)) {
      if (target === file) continue;
      if (!used.has(target)) used.set(target, new Set());
      for (const n of names) used.get(target).add(n);
    }
  }
  const unused = [];
  const occurrences = (source) => {
    const count = new Map();
    const visit = (node) => {
      if (ts.isIdentifier(node)) count.set(node.text, (count.get(node.text) ?? 0) + 1);
      ts.forEachChild(node, visit);
    };
    visit(source);
    return count;
  };
  for (const [file, source] of parsed) {
    if (!file.startsWith(path.join(repo, 'src') + path.sep)) continue;
    const names = used.get(file) ?? new Set();
    if (names.has('*')) continue;
    const count = occurrences(source);
    // More than one occurrence: declared and used in its own file.
    for (const name of exportsOf(source)) if (!names.has(name) && (name === 'default' || (count.get(name) ?? 0) <= 1)) unused.push(`${path.relative(repo, file)}: ${name}`);
  }
  return unused;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repo = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const unused = unusedExports(repo);
  if (unused.length) {
    console.error(`check-exports: ${unused.length} export(s) nothing else imports; drop the export (or the code):\n  ${unused.join('\n  ')}`);
    process.exit(1);
  }
  console.log('check-exports: every export in src/ is imported somewhere.');
}
