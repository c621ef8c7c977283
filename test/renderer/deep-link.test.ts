import { describe, expect, it } from 'vitest';
import { formatDeepLink, parseDeepLink } from '../../src/renderer/deep-link';

const ID = '0b6f2a4e-8c1d-4f3a-9e2b-7d5c6a1b2c3d';

describe('deep links', () => {
  it('round-trips a case and a selected seq', () => {
    expect(formatDeepLink({ caseId: ID, seq: 162 })).toBe(`#case=${ID}&seq=162`);
    expect(parseDeepLink(formatDeepLink({ caseId: ID, seq: 162 }))).toEqual({ caseId: ID, seq: 162 });
    expect(parseDeepLink(`#case=${ID}`)).toEqual({ caseId: ID, seq: null });
    expect(formatDeepLink({ caseId: null, seq: 3 })).toBe('');
  });

  it('ignores what is not a case id or a seq', () => {
    expect(parseDeepLink('#case=../../etc&seq=1')).toEqual({ caseId: null, seq: 1 });
    expect(parseDeepLink(`#case=${ID}&seq=-1`)).toEqual({ caseId: ID, seq: null });
    expect(parseDeepLink(`#case=${ID}&seq=1e9`)).toEqual({ caseId: ID, seq: null });
    expect(parseDeepLink('#<img src=x onerror=alert(1)>')).toEqual({ caseId: null, seq: null });
    expect(parseDeepLink('')).toEqual({ caseId: null, seq: null });
  });
});
