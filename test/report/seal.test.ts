import { describe, expect, it } from 'vitest';
import { jsonDifferences } from '../../src/shared/report/seal';

describe('jsonDifferences', () => {
  it('names each differing member by RFC 6901 pointer, in document order', () => {
    expect(jsonDifferences({ a: 1, b: { 'x/y': [1, 2], c: 'same' } }, { a: 2, b: { 'x/y': [1, 3], c: 'same' }, d: null })).toEqual(['/a', '/b/x~1y/1', '/d']);
    expect(jsonDifferences([1], [1])).toEqual([]);
    expect(jsonDifferences({ a: [1] }, { a: { 0: 1 } })).toEqual(['/a']);
  });

  it('collapses a member with many differences so the others still show', () => {
    const big = (v: number) => ({ timeline: Array.from({ length: 50 }, () => v), verdict: v ? 'tampered' : 'intact' });
    expect(jsonDifferences(big(0), big(1))).toEqual(['/timeline', '/verdict']);
  });
});
