/**
 * The one-way layer rule, in the style of VS Code's code-layering rule: each
 * unit of a layer root (its folders, and files directly in the root) names the
 * units it may import; any other import between two units of the same root is
 * a back import and an error. A unit missing from the map is an error too, so
 * a new folder has to be given its place. The map lives in eslint.config.js.
 */
import path from 'node:path';
import { unitOf } from './check-layers.mjs';

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the capability folders of a layer root go one way only (docs/architecture.md).' },
    schema: [{ type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } }],
    messages: {
      back: "{{root}}/{{from}} may not import {{to}} ('{{specifier}}'): {{from}} may import only {{allowed}}. Layers go one way (docs/architecture.md).",
      unplaced: '{{root}}/{{from}} has no place in the layer map for {{root}} (eslint.config.js); add it with the units it may import.',
    },
  },
  create(context) {
    const roots = context.options[0] ?? {};
    const file = path.relative(context.cwd, context.filename).split(path.sep).join('/');
    const root = Object.keys(roots).find((r) => file.startsWith(`${r}/`));
    if (!root) return {};
    const map = roots[root];
    const relative = file.slice(root.length + 1);
    const from = unitOf(relative);

    const check = (node, specifier) => {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(relative), specifier.split('?')[0]));
      if (target.startsWith('..')) return;
      const to = unitOf(target);
      if (to === from) return;
      // An unplaced unit is reported once, on the file (Program).
      if (!map[from] || map[from].includes(to)) return;
      const allowed = map[from].length ? map[from].join(', ') : 'nothing else in this root';
      context.report({ node, messageId: 'back', data: { root, from, to, specifier, allowed } });
    };
    const source = (node) => node.source && check(node.source, node.source.value);
    return {
      Program(node) {
        if (!map[from]) context.report({ node, messageId: 'unplaced', data: { root, from } });
      },
      ImportDeclaration: source,
      ExportNamedDeclaration: source,
      ExportAllDeclaration: source,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      TSImportType: (node) => {
        const literal = node.argument?.literal ?? node.argument;
        if (literal?.type === 'Literal') check(node, literal.value);
      },
      // Worker entries: new URL('./x-worker.mjs', import.meta.url) loads a module as surely as an import.
      NewExpression(node) {
        const [first, second] = node.arguments;
        const isMetaUrl = second?.type === 'MemberExpression' && second.object.type === 'MetaProperty' && second.property.name === 'url';
        if (node.callee.type === 'Identifier' && node.callee.name === 'URL' && first?.type === 'Literal' && isMetaUrl) check(first, first.value);
      },
    };
  },
};

export default { meta: { name: 'audit-replay-layers' }, rules: { layers: rule } };
