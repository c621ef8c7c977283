/**
 * `audit-replay <command> …`: the services the desktop app uses, for
 * auditors re-running checks offline and in scripts. Exit codes are stable:
 * verify 0 intact, 1 tampered, 3 unanchored, 2 unusable input or arguments.
 */
import { InputError, UsageError } from '../errors/errors';
import { safeIo, type CliCommand, type CliIo } from './io';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  verify: {
    summary:
      'verify <file> [--trust trust.json] [--format id] [--hmac-key-file f] [--continues earlier.jsonl] [--trace-record record.json] [--json] [--workers N]   (or verify <file> [--trust f] [--json] --redis URL [--segment-bytes N] [--wait-timeout S]: on workers)',
    load: async () => (await import('./verify-command')).verifyCommand,
  },
  'verify-proof': {
    summary: "verify-proof <proof.json> [--trust trust.json] [--json]   re-check one entry's proof (exported from the desk) offline",
    load: async () => (await import('./verify-proof-command')).verifyProofCommand,
  },
  open: {
    summary: 'open <export> [--trust f] [--policies dir] [--hmac-key-file f] [--format id] [--cases DIR] [--json]   make a case as the desk does, in its cases folder (or DIR)',
    load: async () => (await import('./open-command')).openCommand,
  },
  compare: {
    summary: 'compare <older-export> <newer-export> [--json]   does the newer export extend the older without rewriting it?',
    load: async () => (await import('./compare-command')).compareCommand,
  },
  replay: {
    summary:
      'replay <export> --policies <dir> [--against name@version|digest] [--json] [--workers N | --redis URL [--chunk-bytes N] [--wait-timeout S]]   replay recorded decisions against their pinned policies',
    load: async () => (await import('./replay-command')).replayCommand,
  },
  worker: {
    summary: 'worker --redis URL [--concurrency N] [--stall-ms N]   a BullMQ worker for verify --redis and replay --redis runs',
    load: async () => (await import('./worker-command')).workerCommand,
  },
  report: {
    summary: 'report <export> [--trust f] [--policies dir] [--format id] [--hmac-key-file f] [--notes case.db] [--sign-key key.json] --out report.json|.html|.pdf   the evidence report',
    load: async () => (await import('./report-command')).reportCommand,
  },
  'check-report': {
    summary: 'check-report <report.json> <export> [--trust f] [--policies dir] [--notes case.db] [--json]   does the report reproduce exactly? (0 yes, 1 differs, 2 unusable)',
    load: async () => (await import('./check-report-command')).checkReportCommand,
  },
  'verify-report': {
    summary: "verify-report <report.json> --public-key HEX | --trust trust.json   check the report's Ed25519 signature",
    load: async () => (await import('./verify-report-command')).verifyReportCommand,
  },
  'export-events': {
    summary: 'export-events <export> [--format id] --ocel out.json | --xes out.xes   events for process-mining tools',
    load: async () => (await import('./export-events-command')).exportEventsCommand,
  },
  serve: {
    summary: 'serve [--port N] [--cases dir] [--open export --trust f --policies dir] [--ui dir]   the desk in a browser, on 127.0.0.1, behind a per-run token',
    load: async () => (await import('./serve-command')).serveCommand,
  },
  generate: {
    summary: 'generate --events N --seed S --out export.jsonl --key-out key.json [--trust-out trust.json] [--checkpoint-every N] [--genesis HEX --first-seq N]',
    load: async () => (await import('./generate-command')).generateCommand,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([, c]) => `  audit-replay ${c.summary}`);
  return `Usage:\n${lines.join('\n')}\n`;
}

export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const io = safeIo(rawIo);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`audit-replay: unknown command "${name}".\n${usage()}`);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`audit-replay ${name}: ${err.message}\n${usage()}`);
      return 2;
    }
    if (err instanceof InputError) {
      const where = err.file ? `${err.file}${err.line ? `:${err.line}` : ''}: ` : '';
      io.stderr.write(`audit-replay ${name}: ${where}${err.message}\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e.code === 'string' && e.path) {
      io.stderr.write(`audit-replay ${name}: ${e.path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}\n`);
      return 2;
    }
    io.stderr.write(`audit-replay ${name}: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    return 2;
  }
}
