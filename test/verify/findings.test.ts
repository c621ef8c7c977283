// The findings collector: bounded memory whatever a file throws at it, the
// first findings of each kind in file order listed, every one counted, and the
// verdict the one all the findings give.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANCHOR_KINDS, FindingCollector, INTEGRITY_KINDS, WARNING_KINDS, finding, sortFindings, verdictOf, type Finding, type FindingKind } from '../../src/shared/verify/findings';
import { runs } from '../hostile/fuzz-config';

const anyFinding = fc
  .record({ kind: fc.constantFrom<FindingKind>(...INTEGRITY_KINDS, ...ANCHOR_KINDS, ...WARNING_KINDS), line: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }) })
  .map(({ kind, line }) => finding(kind, line, line, `at ${line}`));

/** What the collector must list: of each kind, the `limit` first in file order (equal lines: the first pushed). */
function reference(fs: Finding[], limit: number): { listed: Finding[]; folded: Record<string, number> } {
  const byKind = new Map<string, Finding[]>();
  for (const f of fs) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  const listed: Finding[] = [];
  const folded: Record<string, number> = {};
  for (const [kind, list] of byKind) {
    const inOrder = sortFindings([...list]);
    listed.push(...inOrder.slice(0, limit));
    if (list.length > limit) folded[kind] = list.length - limit;
  }
  return { listed: sortFindings(listed), folded };
}

describe('FindingCollector', () => {
  it('lists the first `limit` findings of each kind in file order, whatever order they come in, and counts the rest', () => {
    fc.assert(
      fc.property(fc.array(anyFinding, { maxLength: 120 }), fc.integer({ min: 1, max: 8 }), (fs, limit) => {
        const c = new FindingCollector(limit);
        for (const f of fs) c.push(f);
        const want = reference(fs, limit);
        expect(c.listed()).toEqual(want.listed);
        expect(c.folded()).toEqual(want.folded);
        expect(c.count()).toBe(fs.length);
        const { findings, folded } = c.result();
        expect(folded).toEqual(want.folded);
        expect(findings).toHaveLength(want.listed.length + Object.keys(want.folded).length);
        for (const [kind, n] of Object.entries(want.folded)) {
          const total = fs.filter((f) => f.kind === kind).length;
          expect(findings).toContainEqual(expect.objectContaining({ kind, line: null, message: expect.stringContaining(`${n} more`) }));
          expect(findings.find((f) => f.kind === kind && f.line === null && f.message.includes('not listed'))!.message).toContain(`(${total} in all)`);
        }
        // The verdict from what is listed is the verdict from every finding.
        for (const anchored of [true, false]) expect(verdictOf(findings, { malformed: false, anchored })).toBe(verdictOf(fs, { malformed: false, anchored }));
      }),
      runs(300),
    );
  });

  it('a million findings of one kind cost a thousand listed and a count; an integrity kind folded still makes the file tampered', () => {
    const c = new FindingCollector();
    for (let i = 1; i <= 1_000_000; i++) c.push(finding('hash-mismatch', i, i, `Event ${i} was changed.`));
    const { findings, folded } = c.result();
    expect(findings).toHaveLength(1001);
    expect(folded).toEqual({ 'hash-mismatch': 999_000 });
    expect(findings[0].line).toBe(1);
    expect(findings[1000].message).toBe('999000 more hash-mismatch findings are not listed one by one (1000000 in all).');
    expect(verdictOf(findings, { malformed: false, anchored: true })).toBe('tampered');
  });

  it('a file-level finding pushed last still takes its place before later lines', () => {
    const c = new FindingCollector(3);
    for (let line = 2; line <= 10; line++) c.push(finding('malformed-line', null, line, `line ${line}`));
    c.push(finding('malformed-line', null, 1, 'This is not an audit-export/1 export'));
    expect(c.listed().map((f) => f.line)).toEqual([1, 2, 3]);
    expect(c.folded()).toEqual({ 'malformed-line': 7 });
  });

  it('pushRun and add give what pushing each finding would', () => {
    fc.assert(
      fc.property(fc.array(anyFinding, { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 6 }), (fs, n, start, limit) => {
        const make = (i: number) => finding('malformed-line', null, start + i, `Line ${start + i}`);
        const one = new FindingCollector(limit);
        for (const f of fs) one.push(f);
        for (let i = 0; i < n; i++) one.push(make(i));
        const run = new FindingCollector(limit);
        for (const f of fs) run.push(f);
        run.pushRun('malformed-line', n, (i) => start + i, make);
        expect(run.result()).toEqual(one.result());
        const merged = new FindingCollector(limit).add(fs.slice(0, 5)).add(new FindingCollector(limit).add(fs.slice(5)));
        for (let i = 0; i < n; i++) merged.push(make(i));
        expect(merged.result()).toEqual(one.result());
      }),
      runs(200),
    );
  });
});
