/**
 * `audit-replay serve`: the desk for any browser on this machine. The first
 * line on stdout is the link (with its per-run token, and the case of
 * --open as a deep link); everything else goes to stderr. Runs until
 * SIGINT or SIGTERM.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SentenceError, UsageError } from '../errors/errors';
import { createAuditService, type AuditService } from '../service/audit-service';
import { startDeskServer } from '../serve/desk-server';
import { bundledSample, defaultCasesDir } from '../service/desk-folders';
import { intOption, parseCommandArgs } from './args';
import type { CliCommand, CliIo } from './io';

/** electron-vite's renderer output, beside the sources. */
const DEFAULT_UI = fileURLToPath(new URL('../../../../out/renderer', import.meta.url));
/** The bundled sample, beside the sources. */
const SAMPLE_DIR = fileURLToPath(new URL('../../../../resources/sample', import.meta.url));

async function openCase(service: AuditService, io: CliIo, request: { exportPath: string; trustPath: string | null; policiesPath: string | null }): Promise<string> {
  let jobId: string | null = null;
  const seen: Parameters<Parameters<AuditService['onProgress']>[0]>[0][] = [];
  return new Promise<string>((ok, fail) => {
    const settle = (p: (typeof seen)[number]) => {
      if (p.phase === 'done' && p.caseId) ok(p.caseId);
      else if (p.phase === 'failed') fail(new SentenceError(p.error ?? 'Opening the export failed without saying why.'));
      else if (p.phase === 'cancelled') fail(new SentenceError('Opening the export was cancelled.'));
      else return false;
      stop();
      return true;
    };
    const stop = service.onProgress((p) => {
      if (jobId === null) seen.push(p);
      else if (p.jobId === jobId) settle(p);
    });
    io.stderr.write(`Opening ${request.exportPath} …\n`);
    service.openExport(request).then(
      (job) => {
        jobId = job.jobId;
        for (const p of seen.filter((s) => s.jobId === job.jobId)) if (settle(p)) return;
      },
      (e: unknown) => {
        stop();
        // startIngest rejects with the sentence already worded (missing file, a folder …).
        fail(new SentenceError(e instanceof Error ? e.message : String(e)));
      },
    );
  });
}

export const serveCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      port: { type: 'string' },
      cases: { type: 'string' },
      open: { type: 'string' },
      trust: { type: 'string' },
      policies: { type: 'string' },
      ui: { type: 'string' },
    },
    false,
  );
  if (positionals.length) throw new UsageError('serve takes no file names; open one with --open');
  const port = intOption(values.port, 'port', 0);
  if (port > 65535) throw new UsageError('--port takes a number from 0 to 65535');
  if ((values.trust || values.policies) && !values.open) throw new UsageError('--trust and --policies go with --open');
  // The desktop app's cases folder, as for `open`: a case pre-ingested there is in the served desk's recent list.
  const casesDir = resolve(values.cases ?? defaultCasesDir());
  const service = createAuditService({ casesDir });
  let server: Awaited<ReturnType<typeof startDeskServer>> | null = null;
  try {
    // The desk first: a missing build is said before a long ingest, not after it.
    server = await startDeskServer({ service, rendererDir: resolve(values.ui ?? DEFAULT_UI), port, sample: bundledSample(SAMPLE_DIR) });
    let hash = '';
    if (values.open) {
      const caseId = await openCase(service, io, {
        exportPath: resolve(values.open),
        trustPath: values.trust ? resolve(values.trust) : null,
        policiesPath: values.policies ? resolve(values.policies) : null,
      });
      hash = `#case=${caseId}`;
    }
    io.stdout.write(`${server.url}${hash}\n`);
    io.stderr.write(`The desk is served on 127.0.0.1:${server.port} only, cases in ${casesDir}. Open the link above; Ctrl+C stops it.\n`);
    await new Promise<void>((ok) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        ok();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  } catch (e) {
    if (e instanceof SentenceError && !(e instanceof UsageError)) {
      io.stderr.write(`audit-replay serve: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await server?.close();
    await service.close();
  }
};
