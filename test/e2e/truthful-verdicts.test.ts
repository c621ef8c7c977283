/**
 * The three answers in the real desk, in Chromium: a wrong trust store, a
 * substituted or revoked key and a wrong HMAC secret read "not proven", never
 * "altered"; a rewritten chain names the stretch that cannot be proven; a
 * clean record with violations is never drawn green. Screenshots land in
 * test-results/ (e2e-answers-*.png).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumAvailable, REPO_ROOT, startShell } from '../../scripts/browser-shell';
import type { Shell } from '../../scripts/browser-shell';
import { createAuditService } from '../../src/main/node/service/audit-service';
import type { AuditService } from '../../src/main/node/service/audit-service';
import { ed25519PublicKey } from '../../src/shared/crypto';
import { sha256HexOfText } from '../../src/shared/crypto';

const available = chromiumAvailable();
if (!available) console.warn(`Skipping the verdict browser tests: no Chromium at ${CHROMIUM_PATH}.`);

const SAMPLE = join(REPO_ROOT, 'resources/sample/export.jsonl');
const TAMPERED = join(REPO_ROOT, 'resources/sample/export-tampered.jsonl');
const TRUST = join(REPO_ROOT, 'resources/sample/trust.json');
const POLICIES = join(REPO_ROOT, 'resources/sample/policies');
const AGT = resolve(REPO_ROOT, '../shared/fixtures/agt');

describe.skipIf(!available || !existsSync(AGT))('the three answers in the review desk', () => {
  let service: AuditService;
  let shell: Shell;
  let dir: string;
  const trust = (name: string, keys: unknown[]) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ keys }));
    return file;
  };
  const sampleKey = () => (JSON.parse(readFileSync(TRUST, 'utf8')) as { keys: { key_id: string; alg: string; public_key: string }[] }).keys[0];
  const otherPublicKey = ed25519PublicKey(sha256HexOfText('a key the exporter never had'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-replay-e2e-answers-'));
    service = createAuditService({ casesDir: join(dir, 'cases') });
    shell = await startShell({ service });
  });
  afterAll(async () => {
    await shell?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string, inputs: { trust?: string; policies?: string; hmacKey?: string } = {}) {
    const { page } = shell;
    const openPanel = page.getByRole('region', { name: 'Open an export' });
    if (!(await openPanel.isVisible())) await page.getByRole('button', { name: 'Open another export' }).click();
    await page.getByLabel('Export file path').fill(file);
    await page.getByLabel('Trust store (optional)').fill(inputs.trust ?? '');
    await page.getByLabel('Policy folder (optional)').fill(inputs.policies ?? '');
    await page.locator('input[name="hmac-key"]').fill(inputs.hmacKey ?? '');
    const before = (await service.listRecentCases()).length;
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(async () => (await service.listRecentCases()).length, { timeout: 60_000 }).toBeGreaterThan(before);
    await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
    const verdict = page.getByRole('region', { name: /Verdict/ });
    await verdict.getByRole('group', { name: /^Record:/ }).waitFor();
    return verdict;
  }
  const answerText = async (verdict: Awaited<ReturnType<typeof open>>, question: 'Record' | 'Signer' | 'Conduct') =>
    (await verdict.getByRole('group', { name: new RegExp(`^${question}:`) }).textContent()) ?? '';

  it('the sample with its trust store and policies: record consistent, signer trusted, conduct violations, and no green panel', async () => {
    const verdict = await open(SAMPLE, { trust: TRUST, policies: POLICIES });
    await expect(answerText(verdict, 'Record')).resolves.toContain('Consistent');
    await expect(answerText(verdict, 'Signer')).resolves.toContain('Trusted key');
    const conduct = await answerText(verdict, 'Conduct');
    expect(conduct).toContain('Violations');
    expect(conduct).toMatch(/1 divergence, 15 workflow violations, 2 warnings/);
    await expect(verdict.getAttribute('class')).resolves.toContain('tone-border-bad');
    await shell.screenshot('e2e-answers-sample.png');
  });

  for (const c of [
    {
      name: 'a trust store without the export key',
      shot: 'e2e-answers-wrong-trust.png',
      keys: () => [{ key_id: 'ops-other', alg: 'ed25519', public_key: otherPublicKey }],
      signer: 'Not in your trust store',
    },
    {
      name: 'a substituted key (trusted key_id, another public key)',
      shot: 'e2e-answers-substituted.png',
      keys: () => [{ ...sampleKey(), public_key: otherPublicKey }],
      signer: 'Not in your trust store',
    },
    { name: 'a revoked key', shot: 'e2e-answers-revoked.png', keys: () => [{ ...sampleKey(), revoked_at: '2026-01-01T00:00:00.000Z' }], signer: 'Revoked key' },
  ]) {
    it(`the untouched sample with ${c.name}: not proven, never altered`, async () => {
      const verdict = await open(SAMPLE, { trust: trust(`${c.shot}.json`, c.keys()) });
      await expect(answerText(verdict, 'Record')).resolves.toContain('Consistent');
      const signer = await answerText(verdict, 'Signer');
      expect(signer).toContain(c.signer);
      expect(signer).toContain('ops-sample');
      await expect(verdict.locator('.verdict-word').textContent()).resolves.toBe('UNANCHORED');
      await expect(verdict.textContent()).resolves.not.toMatch(/altered|TAMPERED|forged/);
      await shell.screenshot(c.shot);
    });
  }

  it('the tampered sample: the stretch that cannot be proven, shown in the table and the inspector', async () => {
    const { page } = shell;
    const verdict = await open(TAMPERED, { trust: TRUST, policies: POLICIES });
    const record = await answerText(verdict, 'Record');
    expect(record).toContain('Altered');
    expect(record).toContain('events 1250–2499 (lines 1257–2510) cannot be proven: the checkpoint on line 1507 does not match them');
    await expect(answerText(verdict, 'Conduct')).resolves.toMatch(/likely edits/);
    await verdict.getByRole('button', { name: /Show events 1250–2499/ }).click();
    await expect.poll(async () => page.getByRole('form', { name: 'Event filters' }).getByRole('status').textContent()).toContain('Seq 1250–2499');
    const inspector = page.getByRole('region', { name: 'Event inspector' });
    await expect.poll(async () => inspector.getByRole('note').textContent(), { timeout: 20_000 }).toContain('Not proven.');
    await expect(inspector.textContent()).resolves.toContain('Event seq 1250');
    await page.waitForTimeout(300);
    await shell.screenshot('e2e-answers-tampered.png');
    // The recent list tells this case and the sample's apart by all three answers and the trust store.
    await page.getByRole('button', { name: 'Open another export' }).click();
    const recent = page.getByRole('list', { name: 'Recent cases' });
    await expect(recent.textContent()).resolves.toContain('Record: Altered');
    await expect(recent.textContent()).resolves.toContain('Signer: Not in your trust store (ops-sample)');
    await expect(recent.textContent()).resolves.toContain('trust store trust.json');
    await shell.screenshot('e2e-answers-recent.png');
  });

  it('a plain edit: its own one-event stretch', async () => {
    const lines = readFileSync(SAMPLE, 'utf8').split('\n');
    const edited = JSON.parse(lines[39]) as { data: Record<string, unknown> };
    edited.data = { ...edited.data, note: 'edited' };
    lines[39] = JSON.stringify(edited);
    const file = join(dir, 'plain-edit.jsonl');
    writeFileSync(file, lines.join('\n'));
    const verdict = await open(file, { trust: TRUST });
    await expect(answerText(verdict, 'Record')).resolves.toMatch(/event 38 \(line 40\) cannot be proven: its content does not hash/);
    await expect(answerText(verdict, 'Signer')).resolves.toContain('Trusted key');
  });

  it('an AGT file-sink log with the wrong HMAC secret: wrong secret, not tampering', async () => {
    const verdict = await open(join(AGT, 'file-sink-valid.jsonl'), { hmacKey: join(AGT, 'file-sink-wrong.key') });
    await expect(answerText(verdict, 'Signer')).resolves.toContain('Wrong secret');
    await expect(answerText(verdict, 'Record')).resolves.toContain('Consistent');
    await expect(verdict.textContent()).resolves.not.toMatch(/TAMPERED|Tampering found/);
    await shell.screenshot('e2e-answers-wrong-secret.png');
  });

  it('AGT receipts signed by a key not in the trust store: not proven', async () => {
    const verdict = await open(join(AGT, 'receipts-valid.json'), { trust: trust('receipts-other.json', [{ key_id: 'k', alg: 'ed25519', public_key: otherPublicKey }]) });
    await expect(answerText(verdict, 'Signer')).resolves.toContain('Not in your trust store');
    await expect(verdict.locator('.verdict-word').textContent()).resolves.toBe('UNANCHORED');
  });

  it('an OPA decision log: conduct says replay is not available for the format, and why', async () => {
    const verdict = await open(join(REPO_ROOT, 'resources/samples/opa-decisions.jsonl'), { policies: POLICIES });
    await expect(answerText(verdict, 'Conduct')).resolves.toContain('Replay is not available for opa-decision-log files');
    await expect(answerText(verdict, 'Record')).resolves.toContain('Cannot be checked');
    await expect(verdict.textContent()).resolves.not.toContain('choose a policy folder');
  });
});
