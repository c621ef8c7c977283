/**
 * What the command line prints about a hostile file must not drive the
 * reviewer's terminal: no escape sequences (which can retitle the window,
 * clear the screen or overwrite "TAMPERED" with "INTACT"), no carriage
 * returns, no other control characters from the file.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/node/cli/main';
import { CORPUS_DIR } from './make-corpus';

// Tab and newline are the printer's own; anything else in C0, DEL or C1 came from the file.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function cli(args: string[]): Promise<string> {
  let out = '';
  const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  await runCli(args, { stdout: sink, stderr: sink });
  return out;
}

describe('command-line output of hostile files', () => {
  it('verify and replay of every audit-export/1 corpus file print no control characters', async () => {
    const trust = path.join(CORPUS_DIR, 'trust.json');
    for (const name of readdirSync(CORPUS_DIR).filter((f) => f !== 'trust.json')) {
      const file = path.join(CORPUS_DIR, name);
      for (const args of [
        ['verify', file, '--trust', trust, '--workers', '0'],
        ['verify', file, '--json', '--workers', '0'],
        ['replay', file, '--policies', path.resolve('resources/sample/policies'), '--workers', '0'],
      ]) {
        const out = await cli(args);
        expect(out, `${args.join(' ')}: ${JSON.stringify(out.match(CONTROL))}`).not.toMatch(CONTROL);
      }
    }
  });

  // A finding message quotes an AGT CloudEvents "type" as written
  // (src/shared/formats/agt/hashing.ts); every command's output goes through
  // terminalSafe (src/main/node/cli/io.ts), which shows such characters as escapes.
  it('verify of an AGT CloudEvents file whose type holds escape sequences prints none of them', async () => {
    const fixture = path.resolve(import.meta.dirname, '../../../shared/fixtures/agt/cloudevents-valid.json');
    const doc = JSON.parse(readFileSync(fixture, 'utf8')) as { type: string }[];
    doc[0].type = '\u001b]0;pwned\u0007\u001b[1A\u001b[2K\rINTACT';
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hostile-cli-')), 'cloudevents.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = await cli(['verify', file]);
    expect(out).toContain('pwned');
    expect(out).not.toMatch(CONTROL);
  });
});
