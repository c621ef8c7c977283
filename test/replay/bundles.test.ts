import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jcs from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { BundleError, loadBundle, loadBundleFolder } from '../../src/main/node/replay/bundle-loader';
import { copySamplePolicies, tempDir, V7, writeBundle } from './helpers';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const MANIFEST = '{"name":"t","version":"1","engine":"cedar"}';

function expectBundleError(fn: () => unknown): BundleError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BundleError);
    return err as BundleError;
  }
  throw new Error('expected a BundleError');
}

describe('bundle digest (spec: Policy bundles)', () => {
  it('matches an independent RFC 8785 computation over every file except manifest.json', () => {
    const dir = writeBundle(path.join(tempDir(), 'b'), {
      'manifest.json': MANIFEST,
      'policies.cedar': '@id("p")\npermit(principal, action, resource);\n',
      'docs/README.md': 'nested files count, with "/" paths\n',
    });
    const files: Record<string, string> = {};
    for (const rel of ['policies.cedar', 'docs/README.md']) files[rel] = sha(readFileSync(path.join(dir, rel)));
    const expected = sha(jcs({ name: 't', version: '1', engine: 'cedar', files })!);
    expect(loadBundle(dir).digest).toBe(expected);
  });

  it('changes when any byte of any file changes, and not when manifest.json whitespace changes', () => {
    const root = copySamplePolicies();
    const dir = path.join(root, 'ap-policy-v7');
    const before = loadBundle(dir).digest;
    expect(before).toBe(loadBundle(V7).digest);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ engine: 'cedar', version: '7', name: 'ap-policy' }, null, 2));
    expect(loadBundle(dir).digest).toBe(before);
    writeFileSync(path.join(dir, 'policies.cedar'), readFileSync(path.join(dir, 'policies.cedar'), 'utf8') + '\n');
    expect(loadBundle(dir).digest).not.toBe(before);
  });

  it('loads every sub-folder of a policies folder as one bundle', () => {
    const bundles = loadBundleFolder(copySamplePolicies());
    expect(bundles.map((b) => `${b.name}@${b.version}`)).toEqual(['ap-policy@7', 'ap-policy@8']);
    expect(bundles[0].policies.find((p) => p.id === 'ap.pay.large')).toMatchObject({ approval: true });
    expect(bundles[0].policies.find((p) => p.id === 'ap.pay.small')).toMatchObject({ approval: false });
  });
});

describe('bundle errors name file, line and policy', () => {
  it('a parse error', () => {
    const dir = writeBundle(path.join(tempDir(), 'b'), {
      'manifest.json': MANIFEST,
      'policies.cedar': '@id("ok")\npermit(principal, action, resource);\n\n@id("broken")\npermit(principal,\n  action ==,\n  resource);\n',
    });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.file).toBe(path.join(dir, 'policies.cedar'));
    expect(err.line).toBe(6);
    expect(err.policyId).toBe('broken');
    expect(err.message).toMatch(/does not parse/);
  });

  it('a policy without @id', () => {
    const dir = writeBundle(path.join(tempDir(), 'b'), {
      'manifest.json': MANIFEST,
      'policies.cedar': '@id("a")\npermit(principal, action, resource);\n\n// no id below\nforbid(principal, action, resource)\nwhen { context.x };\n',
    });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.file).toBe(path.join(dir, 'policies.cedar'));
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/no @id/);
  });

  it('a duplicate @id', () => {
    const dir = writeBundle(path.join(tempDir(), 'b'), {
      'manifest.json': MANIFEST,
      'policies.cedar': '@id("a")\npermit(principal, action, resource);\n@id("a")\nforbid(principal, action, resource);\n',
    });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.line).toBe(3);
    expect(err.policyId).toBe('a');
  });

  it('a schema validation failure names the policy and its line', () => {
    const root = copySamplePolicies();
    const dir = path.join(root, 'ap-policy-v7');
    const file = path.join(dir, 'policies.cedar');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n@id("typo")\nforbid (principal, action == Action::"pay_invoice", resource)\nwhen { context.amout > 5 };\n');
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.file).toBe(file);
    expect(err.policyId).toBe('typo');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[err.line! - 1]).toMatch(/context\.amout/);
    expect(err.message).toMatch(/schema/);
  });

  it('a schema that does not parse', () => {
    const dir = writeBundle(path.join(tempDir(), 'b'), {
      'manifest.json': MANIFEST,
      'policies.cedar': '@id("a")\npermit(principal, action, resource);\n',
      'schema.cedarschema': 'entity Agent;\n\nentity Invoice {\n  amount: Long,,\n};\n',
    });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.file).toBe(path.join(dir, 'schema.cedarschema'));
    expect(err.line).toBe(4);
  });

  it('a symlink leading outside the bundle is refused', () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret.txt'), 'not policy');
    const dir = writeBundle(path.join(tempDir(), 'b'), { 'manifest.json': MANIFEST, 'policies.cedar': '@id("a")\npermit(principal, action, resource);\n' });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'extra.txt'));
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.message).toMatch(/outside the bundle/);
  });

  it('a bundle folder that is a symlink leaving the policies folder is refused', () => {
    const outside = writeBundle(path.join(tempDir(), 'elsewhere'), { 'manifest.json': MANIFEST, 'policies.cedar': '@id("a")\npermit(principal, action, resource);\n' });
    const root = tempDir();
    mkdirSync(path.join(root, 'real'));
    writeBundle(path.join(root, 'real'), { 'manifest.json': MANIFEST, 'policies.cedar': '@id("a")\npermit(principal, action, resource);\n' });
    symlinkSync(outside, path.join(root, 'escape'));
    const err = expectBundleError(() => loadBundleFolder(root));
    expect(err.message).toMatch(/outside the policies folder/);
  });

  it('a manifest for another engine', () => {
    const dir = writeBundle(path.join(tempDir(), 'b'), { 'manifest.json': '{"name":"t","version":"1","engine":"rego"}', 'policies.cedar': '@id("a")\npermit(principal, action, resource);\n' });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.file).toBe(path.join(dir, 'manifest.json'));
  });
});

describe('large policy sets: every policy at its line, in file order', () => {
  /** Policy i of a generated set, with the 1-based line it starts on. Some span lines, carry comments, or hold `;` and `//` in strings. */
  function policySet(n: number): { text: string; lines: number[] } {
    const parts: string[] = [];
    const lines: number[] = [];
    let line = 1;
    for (let i = 0; i < n; i++) {
      let p = `@id("p${i}")\npermit(principal, action, resource) when { context.amount > ${i} };`;
      if (i % 7 === 0) p = `// policy ${i}; a comment with a ; and "a quote\n${p}`;
      if (i % 11 === 0) p = `@id("p${i}")\nforbid(principal, action, resource)\nwhen { context.note == "a ; inside // a string \\" ;" };`;
      if (i % 13 === 0) p = `@id("p${i}")\n@approval("required")\npermit(\n  principal,\n  action,\n  resource\n) when { context.amount > ${i} }; // trailing; comment`;
      const leading = p.startsWith('//') ? 1 : 0;
      lines.push(line + leading);
      parts.push(p);
      line += p.split('\n').length + 1;
    }
    return { text: parts.join('\n\n') + '\n', lines };
  }

  it('40,000 policies: the first, the middle and the last (and every other) at the right line, in file order', () => {
    const n = 40_000;
    const { text, lines } = policySet(n);
    const dir = writeBundle(path.join(tempDir(), 'big'), { 'manifest.json': MANIFEST, 'policies.cedar': text });
    const { policies } = loadBundle(dir);
    expect(policies).toHaveLength(n);
    const fileLines = text.split('\n');
    for (const i of [0, n / 2, n - 1]) {
      expect(policies[i].id).toBe(`p${i}`);
      expect(policies[i].line).toBe(lines[i]);
      expect(fileLines[policies[i].line - 1]).toBe(`@id("p${i}")`);
    }
    expect(policies.map((p) => p.line)).toEqual(lines);
    expect(policies.map((p) => p.id)).toEqual(lines.map((_, i) => `p${i}`));
    expect(policies.filter((p) => p.approval).length).toBe(Math.ceil(n / 13));
    expect(policies[11].text).toBe('@id("p11")\nforbid(principal, action, resource)\nwhen { context.note == "a ; inside // a string \\" ;" };');
  });

  it('Cedar returns policies in the order of its own ids (policy0, policy1, policy10, …): a duplicate @id is reported at the later one, naming the earlier line', () => {
    const text = Array.from({ length: 12 }, (_, i) => `@id("${i === 10 ? 'p2' : `p${i}`}")\npermit(principal, action, resource);\n`).join('\n');
    const dir = writeBundle(path.join(tempDir(), 'b'), { 'manifest.json': MANIFEST, 'policies.cedar': text });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.policyId).toBe('p2');
    expect(err.line).toBe(31);
    expect(err.message).toBe('policy "p2" is defined twice (first at line 7)');
  });

  it('a parse error after non-ASCII text is at its line (Cedar counts bytes, not characters)', () => {
    const text =
      `@id("a")\npermit(principal, action, resource) when { context.s == "${'é'.repeat(300)}" };\n\n@id("b")\npermit(principal, action, resource)\nwhen { context.x ==, };\n` + '\n'.repeat(50);
    const dir = writeBundle(path.join(tempDir(), 'b'), { 'manifest.json': MANIFEST, 'policies.cedar': `// ${'ü'.repeat(300)}\n` + text });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.line).toBe(7);
    expect(err.policyId).toBe('b');
  });

  it('an unfinished last policy is a parse error at its line', () => {
    const dir = writeBundle(path.join(tempDir(), 'b'), {
      'manifest.json': MANIFEST,
      'policies.cedar': '@id("a")\npermit(principal, action, resource);\n// fine\n\n@id("b")\npermit(principal, action, resource)\n',
    });
    const err = expectBundleError(() => loadBundle(dir));
    expect(err.message).toMatch(/does not parse \(in or after policy "b"\)/);
    expect(err.line).toBe(6);
  });
});
