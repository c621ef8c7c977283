/**
 * The "Open Recent" menu shows export file names, which come from whoever
 * named the file: the checklist in docs/security.md said this was checked by
 * hand only. Loads src/main/electron/index.ts against a fake 'electron' (the
 * same fakes as test/electron/main-wiring.test.ts) with hostile names in the
 * recent cases, and reads the menu template it builds.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_ENTRY_URL } from '../../src/main/electron/security';
import { fake } from '../electron/fake-electron';

const HOSTILE_RECENT = (() => {
  const names = ['a\u0000b\u0007c\nd\re\u001b[31mf\u007fg.jsonl', '&Quit && &File.jsonl', 'x'.repeat(500) + '.jsonl', 'invoice\u202Egpj.exe.jsonl', 'C1\u0085next\u009bline\u2028sep\u2029par.jsonl'];
  return names.map((exportName, i) => ({
    caseId: `00000000-0000-4000-8000-00000000000${i}`,
    exportName,
    exportPath: `/cases/${i}.jsonl`,
    verdict: 'intact',
    events: 1,
    openedAt: '2026-11-25T00:00:00.000Z',
  }));
})();

vi.mock('../../src/main/node/service/audit-service', async () => (await import('../electron/fake-electron')).serviceModule);
vi.mock('electron', async () => (await import('../electron/fake-electron')).electronModule());

// electron-vite's `?modulePath` imports: the built worker paths, here just names.
vi.mock('../../src/main/node/ingest/ingest-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/ingest-worker.js' }));
vi.mock('../../src/main/node/formats/summarize-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/summarize-worker.js' }));
vi.mock('../../src/main/node/service/case-reader-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/case-reader-worker.js' }));

let labels: string[] = [];

beforeAll(async () => {
  fake.service.listRecentCases.mockImplementation(async () => HOSTILE_RECENT);
  Reflect.deleteProperty(process.env, 'ELECTRON_RENDERER_URL');
  await import('electron');
  await import('../../src/main/electron/index');
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
  await vi.waitFor(() => {
    const menu = fake.menus[fake.menus.length - 1] as { label?: string; submenu?: { label?: string; submenu?: { label: string }[] }[] }[] | undefined;
    const recent = menu?.flatMap((m) => m.submenu ?? []).find((i) => i.label === 'Open Recent');
    labels = (recent?.submenu ?? []).map((i) => i.label);
    expect(labels.length).toBe(HOSTILE_RECENT.length);
  });
  void APP_ENTRY_URL;
});

describe('Open Recent labels from hostile export names', () => {
  it('hold no C0 control characters, double every & (no accelerator from a name), and stay short', () => {
    for (const label of labels) {
      // eslint-disable-next-line no-control-regex
      expect(label).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(label.replace(/&&/g, '')).not.toContain('&');
      expect(label.length).toBeLessThanOrEqual(60 + ' — intact'.length);
    }
    expect(labels[1]).toContain('&&Quit');
  });

  // A right-to-left override (U+202E) would make "invoice<RLO>gpj.exe.jsonl"
  // read as "invoicelnosj.exe.jpg"; recentLabel() strips bidi controls, C1
  // controls and line/paragraph separators as well as C0.
  it('hold no bidi overrides, C1 controls or line separators', () => {
    for (const label of labels) expect(label).not.toMatch(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
  });
});
