/**
 * The process the fault tests kill or race. Prints "ready" on stdout just
 * before the work starts (so kill points land in the work, not in start-up),
 * then "done" (or "failed: <sentence>").
 *
 *   ingest  <casesDir> <caseId> <export> <trust> <policies>   ingestCase, replay included
 *   service <casesDir> <export> <trust> <policies>            the AuditService with its ingest worker thread
 *   writer  <caseFile> <rounds> <tag>                          transactions on an existing case (replay rows, sequence findings), reading between
 *   opener  <casesDir>                                         on a line on stdin, open the cases folder as a second window would
 */
import { ingestCase } from '../../src/main/node/ingest/ingest-case';
import { createAuditService } from '../../src/main/node/service/audit-service';
import { openWritable } from '../../src/main/node/store/case-store';
import { describeError } from '../../src/main/node/errors/describe-error';

const [mode, ...args] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(line + '\n');

try {
  if (mode === 'ingest') {
    const [casesDir, caseId, exportPath, trustPath, policiesPath] = args;
    say('ready');
    await ingestCase({ caseId, casesDir, exportPath, trustPath, policiesPath: policiesPath || null, workers: 1 });
    say('done');
  } else if (mode === 'service') {
    const [casesDir, exportPath, trustPath, policiesPath] = args;
    const service = createAuditService({ casesDir, workers: 1 });
    await service.listRecentCases();
    const finished = new Promise<string>((resolve) => {
      service.onProgress((p) => {
        if (p.phase === 'done') resolve('done');
        if (p.phase === 'failed') resolve(`failed: ${p.error}`);
      });
    });
    say('ready');
    await service.openExport({ exportPath, trustPath, policiesPath });
    say(await finished);
    await service.close();
  } else if (mode === 'writer') {
    const [caseFile, rounds, tag] = args;
    const db = openWritable(caseFile);
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare('INSERT INTO sequence_findings (kind, seq, event_idx, message) VALUES (?, ?, ?, ?)');
    const bump = db.prepare('UPDATE event_rows SET replay_status = ? WHERE idx = ?');
    const countRows = db.prepare('SELECT count(*) FROM sequence_findings WHERE kind = ?').pluck();
    say('ready');
    for (let i = 0; i < Number(rounds); i++) {
      db.transaction(() => {
        for (let j = 0; j < 20; j++) insert.run(`race-${tag}`, i, i % 50, `row ${i}.${j} from ${tag}`);
        bump.run(i % 2 ? 'match' : 'diverged', i % 50);
      })();
      if (countRows.get(`race-${tag}`) !== (i + 1) * 20) throw new Error('lost a committed row');
    }
    db.close();
    say('done');
  } else if (mode === 'opener') {
    // Started early (start-up is slow); opens the folder when told to on stdin.
    const [casesDir] = args;
    say('ready');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    const service = createAuditService({ casesDir });
    say(`cases ${(await service.listRecentCases()).length}`);
    await service.close();
    say('done');
  } else throw new Error(`unknown mode ${mode}`);
  process.exit(0);
} catch (err) {
  say(`failed: ${describeError(err)}`);
  process.exit(1);
}
