/**
 * `audit-replay export-events <export> [--format id] [--hmac-key-file f] [--ocel out.json] [--xes out.xes]`
 * The events for process-mining tools (OCEL 2.0 JSON, XES). Exit 0 written, 2 unusable
 * input, an output that is the export (or the key file, or the other output), or an output that cannot be written.
 */
import path from 'node:path';
import { toOcel, toXes } from '../../../shared/report/process-mining';
import { readMiningEvents } from '../report/mining-events';
import { parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import { refuseOutputsOverInputs, writeOutputFile, type NamedOutput } from '../read/files';
import type { CliCommand } from './io';

export const exportEventsCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' }, 'hmac-key-file': { type: 'string' }, ocel: { type: 'string' }, xes: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('export-events takes exactly one export file');
  if (!values.ocel && !values.xes) throw new UsageError('give --ocel out.json and/or --xes out.xes');
  const outputs: NamedOutput[] = [];
  if (values.ocel) outputs.push({ path: values.ocel, label: `--ocel ${values.ocel}` });
  if (values.xes) outputs.push({ path: values.xes, label: `--xes ${values.xes}` });
  refuseOutputsOverInputs(outputs, [
    { path: positionals[0], role: 'export being examined' },
    { path: values['hmac-key-file'], role: 'HMAC key file given with --hmac-key-file' },
  ]);
  const { events, verdict, format } = await readMiningEvents(positionals[0], { format: values.format ?? null, hmacKeyPath: values['hmac-key-file'] ?? null });
  const out: string[] = [];
  if (values.ocel) {
    const { log, skipped } = toOcel(events);
    await writeOutputFile(values.ocel, JSON.stringify(log, null, 1) + '\n');
    out.push(`wrote ${values.ocel} (OCEL 2.0 JSON): ${log.events.length} events, ${log.objects.length} objects${skipped ? `; ${skipped} events without a readable time left out` : ''}`);
  }
  if (values.xes) {
    const { xml, skipped } = toXes(events, path.basename(positionals[0]));
    await writeOutputFile(values.xes, xml);
    out.push(`wrote ${values.xes} (XES): ${events.length - skipped} events${skipped ? `; ${skipped} without a readable time left out` : ''}`);
  }
  out.push(`  the export verified as ${verdict} (${format}); run verify for the findings`);
  io.stdout.write(out.join('\n') + '\n');
  return 0;
};
