/** The desk in Chromium over a real service with a fresh cases folder, for one describe block. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startShell, type Shell } from '../../scripts/browser-shell';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';

export interface DeskShell {
  readonly service: AuditService;
  readonly shell: Shell;
}

/** Starts the service and the shell before the block's tests and closes both (and removes the cases folder) after them. */
export function useDeskShell(casesPrefix: string): DeskShell {
  let service: AuditService | undefined;
  let shell: Shell | undefined;
  let casesDir: string | undefined;
  beforeAll(async () => {
    casesDir = mkdtempSync(join(tmpdir(), casesPrefix));
    service = createAuditService({ casesDir });
    shell = await startShell({ service });
  });
  afterAll(async () => {
    await shell?.close();
    await service?.close();
    if (casesDir) rmSync(casesDir, { recursive: true, force: true });
  });
  return {
    get service() {
      return service!;
    },
    get shell() {
      return shell!;
    },
  };
}
