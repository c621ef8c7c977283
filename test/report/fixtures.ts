/** Inputs for the report tests: copies of the sample export, trust store and bundles in a fresh folder, a hostile export, and the CLI. */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildLines, specs, tmpDir, trustFor, writeExportFile } from '../support/export-builder';

const ROOT = path.resolve(__dirname, '../..');
export const SAMPLE = path.join(ROOT, 'resources/sample');

export { cli } from '../support/run-cli';

export interface SampleInputs {
  dir: string;
  exportPath: string;
  trustPath: string;
  policiesPath: string;
}

/** The sample case copied into a new folder, so tests may change it. */
export function sampleInputs(dir = tmpDir()): SampleInputs {
  const exportPath = path.join(dir, 'export.jsonl');
  const trustPath = path.join(dir, 'trust.json');
  const policiesPath = path.join(dir, 'policies');
  cpSync(path.join(SAMPLE, 'export.jsonl'), exportPath);
  cpSync(path.join(SAMPLE, 'trust.json'), trustPath);
  cpSync(path.join(SAMPLE, 'policies'), policiesPath, { recursive: true });
  return { dir, exportPath, trustPath, policiesPath };
}

export const XSS_IMG = '<img src=x onerror="window.__xss=1">';
export const XSS_JS = 'javascript:window.__xss=2';
export const XSS_SVG = '</text><script>window.__xss=3</script><text>';

/** A signed export whose actor ids, kinds and data carry HTML and URL payloads. */
export function hostileExport(dir = tmpDir()): { exportPath: string; trustPath: string } {
  const kinds = ['action.requested', 'policy.decision', XSS_IMG, 'action.executed'];
  const s = specs(40).map((_, i) => ({
    kind: kinds[i % kinds.length],
    actor: { type: 'agent', id: i % 2 ? XSS_JS : XSS_SVG },
    data:
      i % 4 === 1
        ? { decision_id: `${XSS_IMG}-${i}`, request_id: `r${i}`, outcome: { effect: i % 8 === 1 ? 'deny' : 'allow', determining: [] }, request: { resource: { type: 'Invoice', id: XSS_JS } } }
        : { request_id: `r${i - (i % 4)}`, tool: XSS_IMG, approver: XSS_JS },
  }));
  const exportPath = writeExportFile(dir, `hostile-${XSS_IMG.replace(/[^a-z]/g, '')}.jsonl`, buildLines(s, { every: 10 }));
  const trustPath = path.join(dir, 'trust.json');
  writeFileSync(trustPath, JSON.stringify(trustFor()));
  return { exportPath, trustPath };
}
