import { describe, expect, it } from 'vitest';
import { parseLaunchArgs } from '../../src/main/electron/launch-args';

describe('parseLaunchArgs', () => {
  it('reads --open, --trust and --policies, made absolute against the launch folder', () => {
    const argv = ['/usr/bin/electron', '.', '--open', 'resources/sample/export.jsonl', '--trust', '/abs/trust.json', '--policies=resources/sample/policies'];
    expect(parseLaunchArgs(argv, '/repo')).toEqual({
      request: { exportPath: '/repo/resources/sample/export.jsonl', trustPath: '/abs/trust.json', policiesPath: '/repo/resources/sample/policies' },
      problems: [],
    });
  });
  it('opens nothing without --open', () => {
    expect(parseLaunchArgs(['/app', '--no-sandbox'], '/repo')).toEqual({ request: null, problems: [] });
    expect(parseLaunchArgs(['/app', '--trust', 't.json'], '/repo').problems).toEqual(['--trust and --policies apply only together with --open.']);
  });
  it('reports a flag without a value instead of taking the next flag as a path', () => {
    const parsed = parseLaunchArgs(['/app', '--open', '--trust', 't.json'], '/repo');
    expect(parsed.request).toBeNull();
    expect(parsed.problems).toContain('--open needs a path after it.');
    expect(parseLaunchArgs(['/app', '--open='], '/repo').problems).toEqual(['--open needs a path after it.']);
  });
  it('leaves trust and policies null when not given', () => {
    expect(parseLaunchArgs(['/app', '--open=/x/e.jsonl'], '/repo').request).toEqual({ exportPath: '/x/e.jsonl', trustPath: null, policiesPath: null });
  });
});
