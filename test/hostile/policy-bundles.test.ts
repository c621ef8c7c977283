/**
 * Hostile policy folders: links out of the folder (to files, FIFOs and
 * devices, which would hang or leak if read), odd file names, enormous or
 * numerous files, deep folders, and policy text that does not parse or is
 * built to exhaust the parser. Each ends in a BundleError naming the file,
 * and nothing outside the folder is opened. test/replay/bundles.test.ts
 * covers the ordinary errors (parse, @id, schema, one outside link).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleError, loadBundle, loadBundleFolder, MAX_BUNDLE_BYTES, MAX_BUNDLE_DEPTH, MAX_BUNDLE_FILE_BYTES, MAX_BUNDLE_FILES } from '../../src/main/node/replay/bundle-loader';
import { replayEvents } from '../../src/main/node/replay/replay-service';
import { InputError } from '../../src/main/node/errors/errors';
import { describeError } from '../../src/main/node/errors/describe-error';
import { tempDir, V7, writeBundle } from '../replay/helpers';

const MANIFEST = '{"name":"t","version":"1","engine":"cedar"}';
const POLICY = '@id("a")\npermit(principal, action, resource);\n';

function bundle(files: Record<string, string> = {}): string {
  return writeBundle(path.join(tempDir('hostile-bundle-'), 'b'), { 'manifest.json': MANIFEST, 'policies.cedar': POLICY, ...files });
}

function refused(fn: () => unknown, message: RegExp, file?: string): BundleError | InputError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a refusal').toBeInstanceOf(InputError);
  const err = caught as InputError;
  expect(err.message).toMatch(message);
  if (file) expect(err.file).toBe(file);
  // The sentence the reviewer sees names the file.
  expect(describeError(err)).toContain(err.file ?? '');
  return err;
}

function fifo(file: string): string {
  execFileSync('mkfifo', [file]);
  return file;
}

describe('links and special files: nothing outside the folder is opened', () => {
  it('policies.cedar linked to a FIFO outside the folder is refused without opening it (opening would hang)', () => {
    const outside = fifo(path.join(tempDir(), 'pipe'));
    const dir = bundle();
    const link = path.join(dir, 'entities.json');
    symlinkSync(outside, link);
    refused(() => loadBundle(dir), /outside the bundle folder/, link);
  });

  it('a link to /etc/passwd and to /dev/zero are refused', () => {
    const dir = bundle();
    symlinkSync('/etc/passwd', path.join(dir, 'schema.cedarschema'));
    refused(() => loadBundle(dir), /outside the bundle folder/);
    const dir2 = bundle();
    symlinkSync('/dev/zero', path.join(dir2, 'policies2.cedar'));
    refused(() => loadBundle(dir2), /outside the bundle folder/);
  });

  it('a link through ../ that resolves outside is refused; one that stays inside is followed', () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'secret.cedar'), '@id("x")\nforbid(principal, action, resource);\n');
    const dir = writeBundle(path.join(root, 'b'), { 'manifest.json': MANIFEST, 'policies.cedar': POLICY });
    symlinkSync('../secret.cedar', path.join(dir, 'extra.cedar'));
    refused(() => loadBundle(dir), /outside the bundle folder/);
    const ok = bundle({ 'sub/real.txt': 'x' });
    symlinkSync('sub/real.txt', path.join(ok, 'alias.txt'));
    expect(Object.keys(loadBundle(ok).files).sort()).toEqual(['alias.txt', 'policies.cedar', 'sub/real.txt']);
  });

  it('a FIFO inside the folder (or linked from inside) is refused, not read (reading would hang)', () => {
    const dir = bundle();
    fifo(path.join(dir, 'pipe'));
    refused(() => loadBundle(dir), /not a regular file/);
    const dir2 = bundle({ 'sub/x': '' });
    fifo(path.join(dir2, 'sub', 'pipe'));
    symlinkSync('sub/pipe', path.join(dir2, 'z-link'));
    refused(() => loadBundle(dir2), /not a regular file/);
  });

  it('dangling links and link loops are refused with a sentence, in a bundle and in the policies folder', () => {
    const dir = bundle();
    symlinkSync('no-such-file', path.join(dir, 'gone'));
    refused(() => loadBundle(dir), /symbolic link to nothing/);
    const dir2 = bundle();
    symlinkSync('loop-b', path.join(dir2, 'loop-a'));
    symlinkSync('loop-a', path.join(dir2, 'loop-b'));
    refused(() => loadBundle(dir2), /symbolic link to nothing/);
    const root = tempDir();
    writeBundle(path.join(root, 'real'), { 'manifest.json': MANIFEST, 'policies.cedar': POLICY });
    symlinkSync(path.join(root, 'missing'), path.join(root, 'broken'));
    refused(() => loadBundleFolder(root), /symbolic link to nothing/);
  });

  it('a linked folder inside the bundle is refused', () => {
    const dir = bundle({ 'sub/a.txt': 'a' });
    symlinkSync('sub', path.join(dir, 'sub-link'));
    refused(() => loadBundle(dir), /linked folders/);
  });
});

describe('file names are data, not paths', () => {
  it('names that look like traversal, markup or control sequences are digested as names and read from inside only', () => {
    const names = ['..%2f..%2fetc%2fpasswd', '..\\..\\windows\\system32', '<img src=x onerror=alert(1)>', 'line\nbreak', '\u202Egnp.exe', ' ..', '...'];
    const dir = bundle(Object.fromEntries(names.map((n) => [n, `content of ${JSON.stringify(n)}`])));
    const b = loadBundle(dir);
    for (const n of names) expect(Object.keys(b.files)).toContain(n);
    expect(b.dir).toBe(dir);
  });

  it('a decision pinning a bundle by a path-like name is not replayable; no file is looked up by it', async () => {
    const bundles = [loadBundle(V7)];
    const evil = { name: '../../../../etc/passwd', version: '../..', digest: '/etc/shadow' };
    const data = {
      decision_id: 'd1',
      request_id: 'r1',
      policy: evil,
      request: { principal: { type: 'Agent', id: 'a' }, action: { type: 'Action', id: 'pay_invoice' }, resource: { type: 'Invoice', id: 'i' }, context: {} },
      outcome: { effect: 'allow', determining: [] },
    };
    const run = await replayEvents([{ index: 0, seq: 0, line: 2, kind: 'policy.decision', actor: { type: 'agent', id: 'a' }, data }], { bundles, workers: 0 });
    expect(run.report.decisions).toBe(1);
    expect(JSON.stringify(run.report)).not.toMatch(/root:x:0:0/);
    expect(run.canonical).toMatch(/not.replayable|not_replayable|unknown|missing/i);
  });
});

describe('enormous and numerous files', () => {
  it(`a policies.cedar over ${MAX_BUNDLE_FILE_BYTES} bytes is refused before it is read`, () => {
    const dir = bundle();
    truncateSync(path.join(dir, 'policies.cedar'), MAX_BUNDLE_FILE_BYTES + 1); // sparse
    refused(() => loadBundle(dir), /over the \d+-byte limit/, path.join(dir, 'policies.cedar'));
  });

  it(`files adding up to more than ${MAX_BUNDLE_BYTES} bytes are refused`, () => {
    const dir = bundle();
    for (let i = 0; i < 5; i++) truncateSync((writeFileSync(path.join(dir, `pad-${i}`), ''), path.join(dir, `pad-${i}`)), MAX_BUNDLE_FILE_BYTES - 1);
    refused(() => loadBundle(dir), /more than \d+ bytes of files/, dir);
  });

  it(`more than ${MAX_BUNDLE_FILES} files, or folders deeper than ${MAX_BUNDLE_DEPTH}, are refused`, () => {
    const dir = bundle();
    mkdirSync(path.join(dir, 'many'));
    for (let i = 0; i <= MAX_BUNDLE_FILES; i++) writeFileSync(path.join(dir, 'many', `f${i}`), '');
    refused(() => loadBundle(dir), /more than \d+ files/);
    const deep = bundle();
    const sub = path.join(deep, ...Array.from({ length: MAX_BUNDLE_DEPTH + 2 }, (_, i) => `d${i}`));
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'x'), '');
    refused(() => loadBundle(deep), /deeper than/);
  });

  it('a large but legal policy set (2,000 policies) loads in bounded time', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `@id("p${i}")\npermit(principal, action, resource) when { context.amount > ${i} };\n`).join('\n');
    const started = performance.now();
    const b = loadBundle(bundle({ 'policies.cedar': text }));
    expect(b.policies).toHaveLength(2000);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});

describe('policy text built to break the parser', () => {
  const cases: Record<string, string> = {
    binary: '\u0000\u0001\u00ff\ufffd@id("x")',
    'only an annotation': '@id("x")',
    'unterminated string': '@id("x)\npermit(principal, action, resource);',
    'parentheses 50,000 deep': `@id("x")\npermit(principal, action, resource) when { ${'('.repeat(50_000)}true${')'.repeat(50_000)} };`,
    'a condition chained 20,000 times': `@id("x")\npermit(principal, action, resource) when { ${Array.from({ length: 20_000 }, () => 'true').join(' && ')} };`,
    'a 1 MiB identifier': `@id("x")\npermit(principal, action, resource) when { context.${'a'.repeat(1 << 20)} };`,
    'unicode escapes': '@id("\\u{110000}")\npermit(principal, action, resource);',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`${name}: a BundleError naming policies.cedar, no crash`, () => {
      const dir = bundle({ 'policies.cedar': text });
      let result: unknown;
      try {
        result = loadBundle(dir);
      } catch (err) {
        result = err;
      }
      // Either refused with a sentence naming the file, or (for text that is legal Cedar) loaded.
      if (result instanceof Error) {
        expect(result).toBeInstanceOf(BundleError);
        expect((result as BundleError).file).toBe(path.join(dir, 'policies.cedar'));
        expect(describeError(result).length).toBeLessThan(20_000);
      } else {
        expect((result as { policies: unknown[] }).policies.length).toBeGreaterThan(0);
      }
    });
  }

  it('after refusing deep text, Cedar still works in this process (deep brackets used to break the wasm engine for good)', () => {
    for (const depth of [150, 300, 5000]) {
      const dir = bundle({ 'policies.cedar': `@id("x")\npermit(principal, action, resource) when { ${'['.repeat(depth)}1${']'.repeat(depth)} == 1 };` });
      refused(() => loadBundle(dir), /more than 64 levels deep/, path.join(dir, 'policies.cedar'));
    }
    const schema = bundle({ 'schema.cedarschema': `entity A { x: ${'Set<'.repeat(200)}Long${'>'.repeat(200)} };` });
    refused(() => loadBundle(schema), /more than 64 levels deep/, path.join(schema, 'schema.cedarschema'));
    expect(loadBundle(V7).policies.length).toBeGreaterThan(0);
    expect(loadBundle(bundle({ 'policies.cedar': `@id("ok")\npermit(principal, action, resource) when { ${'('.repeat(60)}context.a < 2${')'.repeat(60)} };` })).policies).toHaveLength(1);
  });

  it('a policy Cedar traps on while converting it (20,000 chained terms) is refused, and Cedar still works in this process afterwards', () => {
    const chain = bundle({ 'policies.cedar': `@id("x")\npermit(principal, action, resource) when { ${Array.from({ length: 20_000 }, () => 'true').join(' && ')} };` });
    refused(() => loadBundle(chain), /the Cedar engine could not process it/, path.join(chain, 'policies.cedar'));
    // The trap left that wasm instance failing every call; the loader replaced it.
    expect(loadBundle(V7).policies.length).toBeGreaterThan(0);
    const decisions = loadBundle(bundle()).policies;
    expect(decisions.map((p) => p.id)).toEqual(['a']);
  });

  it('brackets inside strings and comments do not count', () => {
    const text = `// ${'('.repeat(500)}\n@id("${'['.repeat(500)}")\npermit(principal, action, resource) when { context.s == "${'{'.repeat(500)}" };\n`;
    expect(loadBundle(bundle({ 'policies.cedar': text })).policies).toHaveLength(1);
  });

  it('entities.json and manifest.json nested 100,000 deep or holding __proto__ are refused or read as data', () => {
    const deep = bundle({ 'entities.json': '['.repeat(100_000) + ']'.repeat(100_000) });
    refused(() => loadBundle(deep), /more than 64 levels deep/, path.join(deep, 'entities.json'));
    const proto = bundle({ 'manifest.json': '{"__proto__":{"polluted":1},"name":"t","version":"1","engine":"cedar"}' });
    expect(loadBundle(proto).name).toBe('t');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const notObject = bundle({ 'manifest.json': '[1,2]' });
    refused(() => loadBundle(notObject), /string members name, version and engine/);
  });
});
