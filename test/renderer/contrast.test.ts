/**
 * WCAG AA contrast (4.5:1 for text under 18 px) of the desk's coloured words,
 * computed from the colour values in styles.css for both themes: the table's
 * outcome and replay words ("allow", "deny", "needs approval", "matches",
 * "DIVERGED", "not replayable") on every row background (plain, alternate,
 * hover, keyboard cursor, selected), and each tone on its own tinted badge.
 */
import { describe, expect, it } from 'vitest';

// Read as a file: vitest stubs CSS imports (even `?raw`) to nothing, and the renderer's
// tsconfig has no Node types, hence the typed dynamic import.
const { readFileSync } = (await import('node:' + 'fs')) as { readFileSync(path: URL, encoding: 'utf8'): string };
const css = readFileSync(new URL('../../src/renderer/styles.css', import.meta.url), 'utf8');

function themeVars(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no ${selector} block in styles.css`);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

const THEMES = { light: themeVars(':root'), dark: { ...themeVars(':root'), ...themeVars(":root[data-theme='dark']") } };

/** WCAG 2 relative luminance of an sRGB hex colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** The word colours used in table cells (see .outcome-* and .replay-* in styles.css). */
const TABLE_WORDS = { allow: '--ok', deny: '--bad', 'needs approval': '--warn', matches: '--muted', DIVERGED: '--bad', 'not replayable': '--warn', text: '--text' };
const ROW_BACKGROUNDS = ['--panel', '--row-alt', '--row-hover', '--row-cursor', '--row-selected'];
const BADGES = [
  ['--ok', '--ok-bg'],
  ['--bad', '--bad-bg'],
  ['--warn', '--warn-bg'],
  ['--mal', '--mal-bg'],
];

describe('contrast of the desk colours (WCAG AA, 4.5:1)', () => {
  it('checks the table words against the CSS rules that colour them', () => {
    expect(css).toMatch(/\.outcome-allow \{ color: var\(--ok\)/);
    expect(css).toMatch(/\.replay-match \{ color: var\(--muted\)/);
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  for (const [theme, vars] of Object.entries(THEMES)) {
    it(`${theme}: every table word on every row background`, () => {
      const low: string[] = [];
      for (const [word, fg] of Object.entries(TABLE_WORDS))
        for (const bg of ROW_BACKGROUNDS) {
          const ratio = contrast(vars[fg]!, vars[bg]!);
          if (ratio < 4.5) low.push(`"${word}" ${fg} ${vars[fg]} on ${bg} ${vars[bg]}: ${ratio.toFixed(2)}:1`);
        }
      expect(low).toEqual([]);
    });

    it(`${theme}: every tone on its badge`, () => {
      const low = BADGES.map(([fg, bg]) => [fg!, bg!, contrast(vars[fg!]!, vars[bg!]!)] as const)
        .filter(([, , r]) => r < 4.5)
        .map(([fg, bg, r]) => `${fg} on ${bg}: ${r.toFixed(2)}:1`);
      expect(low).toEqual([]);
    });
  }
});
