/**
 * The hand-made hostile corpus (test/hostile/corpus/, made by make-corpus.ts)
 * through every door that reads an export: verify (inline and on the worker
 * pool, which must agree), ingest into a case store, and replay. Each file
 * ends in findings at the right line or in an error sentence naming the file
 * (and the line where there is one); nothing throws anything else, nothing
 * leaves a half case, nothing pollutes Object.prototype.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyFile, type VerifyFileResult } from '../../src/main/node/verify/verify-file';
import { ingestCase } from '../../src/main/node/ingest/ingest-case';
import { replayExport } from '../../src/main/node/replay/replay-service';
import { InputError } from '../../src/main/node/errors/errors';
import { describeError } from '../../src/main/node/errors/describe-error';
import { openReadable } from '../../src/main/node/store/case-store';
import { readCaseMeta } from '../../src/main/node/store/case-meta';
import { CORPUS_DIR } from './make-corpus';

const TRUST = path.join(CORPUS_DIR, 'trust.json');
const POLICIES = path.resolve('resources/sample/policies');

type Expect = { verdict: VerifyFileResult['verdict']; finding?: [kind: string, line: number]; message?: RegExp } | { error: RegExp; line?: number };

/** What each file must give under verify. */
const EXPECT: Record<string, Expect> = {
  'valid.jsonl': { verdict: 'intact' },
  'header-keys-object.jsonl': { verdict: 'intact', finding: ['header-member', 1], message: /"keys" is not a list/ },
  'header-keys-null-entry.jsonl': { verdict: 'intact', finding: ['header-member', 1], message: /keys\[0\]/ },
  'checkpoint-backdated.jsonl': { verdict: 'unanchored', finding: ['checkpoint-predates-events', 7], message: /before events it covers/ },
  'valid.jsonl.gz': { verdict: 'intact' },
  'plain-named.jsonl.gz': { verdict: 'intact' },
  'empty.jsonl': { error: /is empty/ },
  'only-newlines.jsonl': { error: /only blank lines/ },
  'gzip-magic-only.jsonl.gz': { error: /empty|gzip/ },
  'header-only.jsonl': { verdict: 'tampered', finding: ['truncated', 1] },
  'header-only-unterminated.jsonl': { verdict: 'tampered', finding: ['truncated', 1] },
  'truncated-mid-line.jsonl': { verdict: 'tampered', finding: ['truncated', 16] },
  'truncated-at-line.jsonl': { verdict: 'tampered', finding: ['truncated', 9] },
  'truncated.jsonl.gz': { error: /gzip data is cut off/, line: 7 },
  'corrupt.jsonl.gz': { error: /gzip data is damaged/ },
  'binary.bin': { error: /not in a format Audit Replay reads/ },
  'binary-after-header.jsonl': { verdict: 'tampered', finding: ['malformed-line', 2], message: /not valid UTF-8/ },
  'nul-bytes.jsonl': { verdict: 'tampered', finding: ['malformed-line', 4] },
  'invalid-utf8.jsonl': { verdict: 'tampered', finding: ['malformed-line', 4], message: /not valid UTF-8/ },
  'bom.jsonl': { verdict: 'malformed', finding: ['malformed-line', 1], message: /byte order mark/ },
  'crlf.jsonl': { verdict: 'malformed', finding: ['malformed-line', 1], message: /carriage return/ },
  'proto-members.jsonl': { verdict: 'intact' },
  'proto-top-level.jsonl': { verdict: 'intact' },
  'negative-zero.jsonl': { verdict: 'intact' },
  'terminal-escapes.jsonl': { verdict: 'intact' },
  'duplicate-member.jsonl': { verdict: 'tampered', finding: ['malformed-line', 5], message: /duplicate member name "tool"/ },
  'duplicate-top-member.jsonl': { verdict: 'tampered', finding: ['malformed-line', 5], message: /duplicate member name "seq"/ },
  'number-1e400.jsonl': { verdict: 'tampered', finding: ['malformed-line', 8], message: /1e400 is not a finite/ },
  'number-minus-1e400.jsonl': { verdict: 'tampered', finding: ['malformed-line', 8], message: /-1e400 is not a finite/ },
  'lone-surrogate.jsonl': { verdict: 'tampered', finding: ['malformed-line', 9], message: /surrogate/ },
  'deep-nesting-2000.jsonl': { verdict: 'tampered', finding: ['malformed-line', 10], message: /deeper than 1000/ },
  'not-an-object-lines.jsonl': { verdict: 'tampered', finding: ['malformed-line', 2], message: /not an object/ },
  'second-header.jsonl': { verdict: 'tampered', finding: ['malformed-line', 6], message: /second header/ },
  'unknown-type.jsonl': { verdict: 'tampered', finding: ['malformed-line', 3], message: /unknown line type/ },
  'seq-not-safe-integer.jsonl': { verdict: 'tampered', finding: ['malformed-line', 11] },
  'seq-fraction.jsonl': { verdict: 'tampered', finding: ['malformed-line', 11] },
  'header-garbage-types.jsonl': { verdict: 'malformed', finding: ['malformed-line', 1] },
  'whitespace-line.jsonl': { verdict: 'tampered', finding: ['malformed-line', 5] },
  'decision-parent-chain-101.jsonl': { verdict: 'intact' },
  'decision-context-nested-65.jsonl': { verdict: 'intact' },
  'header-escaped-slash.jsonl': { verdict: 'intact' },
  'opa-lookalike.jsonl': { verdict: 'intact' },
};

/** Corpus files whose one decision is over a cap on what a request may hand Cedar: replay refuses it alone. */
const REPLAY_EXPECT: Record<string, RegExp> = {
  'decision-parent-chain-101.jsonl': /^Event 3 \(line 5\): the request's entities form a chain of parents more than 100 deep \(the cap on entity depth\); it was not given to Cedar$/,
  'decision-context-nested-65.jsonl': /^Event 3 \(line 5\): the request's context nests values more than 64 levels deep \(the cap on nesting\); it was not given to Cedar$/,
};

const files = readdirSync(CORPUS_DIR)
  .filter((f) => f !== 'trust.json')
  .sort();
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function outcome(file: string, workers: number): Promise<VerifyFileResult | InputError> {
  try {
    return await verifyFile({ path: file, trustPath: TRUST, workers });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`${path.basename(file)}: verify threw something other than an InputError: ${(err as Error)?.stack ?? String(err)}`);
  }
}

describe('hostile corpus', () => {
  it('every corpus file has an expectation (and every expectation a file)', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECT).sort());
  });

  for (const name of files) {
    it(`${name}: findings at the right line or a sentence naming the file, the same inline and on workers`, async () => {
      const file = path.join(CORPUS_DIR, name);
      const before = sha(file);
      const want = EXPECT[name];
      const inline = await outcome(file, 0);
      const pooled = await outcome(file, 2);
      if ('error' in want) {
        expect(inline, `${name} should be refused`).toBeInstanceOf(InputError);
        const err = inline as InputError;
        expect(err.message).toMatch(want.error);
        const sentence = describeError(err, file);
        expect(sentence).toContain(file);
        expect(sentence).not.toMatch(/\n\s+at /);
        if (want.line !== undefined) expect(err.line).toBe(want.line);
        expect((pooled as InputError).message).toBe(err.message);
      } else {
        expect(inline, `${name} should verify`).not.toBeInstanceOf(InputError);
        const r = inline as VerifyFileResult;
        expect(r.verdict).toBe(want.verdict);
        if (want.finding) {
          const [kind, line] = want.finding;
          const hit = r.findings.find((f) => f.kind === kind && f.line === line);
          expect(hit, `${kind} at line ${line} in ${JSON.stringify(r.findings.map((f) => [f.kind, f.line]))}`).toBeDefined();
          if (want.message)
            expect(
              r.findings
                .filter((f) => f.line === line)
                .map((f) => f.message)
                .join(' | '),
            ).toMatch(want.message);
        }
        for (const f of r.findings) expect(f.message.length).toBeLessThan(2000);
        const p = pooled as VerifyFileResult;
        expect({ verdict: p.verdict, findings: p.findings, head: p.headHash }).toEqual({ verdict: r.verdict, findings: r.findings, head: r.headHash });
      }
      expect(sha(file)).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  for (const [name, message] of Object.entries(REPLAY_EXPECT)) {
    it(`${name}: replay marks that decision alone request-over-limit, naming the cap and the line, the same on workers`, async () => {
      const file = path.join(CORPUS_DIR, name);
      const inline = await replayExport({ exportPath: file, policies: POLICIES, workers: 0 });
      const pooled = await replayExport({ exportPath: file, policies: POLICIES, workers: 2 });
      expect(inline.report).toMatchObject({ decisions: 1, not_replayable: 1, counts: { not_replayable_by_reason: { 'request-over-limit': 1 } } });
      expect(inline.report.not_replayable_decisions[0].message).toMatch(message);
      expect(pooled.sha256).toBe(inline.sha256);
    });
  }

  it('ingest: each file becomes a complete case or a sentence, never a half case; replay: a report or a sentence', async () => {
    const casesDir = mkdtempSync(path.join(os.tmpdir(), 'hostile-corpus-cases-'));
    for (const [i, name] of files.entries()) {
      const file = path.join(CORPUS_DIR, name);
      const want = EXPECT[name];
      const caseId = `case-${i}`;
      try {
        const r = await ingestCase({ caseId, casesDir, exportPath: file, trustPath: TRUST, policiesPath: POLICIES, workers: 0 });
        expect('verdict' in want, `${name} ingested but verify refuses it`).toBe(true);
        const db = openReadable(r.file);
        expect(readCaseMeta(db).verdict).toBe(r.result.verdict);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        db.close();
      } catch (err) {
        expect(err, `${name}: ${String(err)}`).toBeInstanceOf(InputError);
        expect('error' in want, `${name} refused by ingest: ${describeError(err)}`).toBe(true);
      }
      expect(readdirSync(casesDir).filter((f) => f.includes('.partial'))).toEqual([]);
      try {
        const run = await replayExport({ exportPath: file, policies: POLICIES, workers: 0 });
        expect(run.sha256).toMatch(/^[0-9a-f]{64}$/);
      } catch (err) {
        expect(err, `${name}: replay threw ${String(err)}`).toBeInstanceOf(InputError);
        expect(describeError(err)).toContain(file);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
