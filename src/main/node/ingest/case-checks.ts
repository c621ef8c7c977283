/**
 * Questions the desk asks of a finished case, answered with the CLI's own
 * code: what-if (`replay --against`, replayExport) against a bundle the
 * reviewer picks, and `compare` (compareExports) with an earlier export of
 * the same chain. Both read the case's copy of its export, never the
 * original (which may have moved since), and run in the ingest worker.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { whatIfView, type WhatIfView } from '../../../shared/replay/views';
import { comparisonWords, type ExportComparison } from '../../../shared/verify/comparison';
import { SentenceError } from '../errors/errors';
import { describeError } from '../errors/describe-error';
import { loadBundle, loadBundleFolder, type BundleSource } from '../replay/bundle-loader';
import { replayExport } from '../replay/replay-service';
import { compareExports } from '../verify/compare-exports';
import { loadTrustStore } from '../verify/trust-store';

export interface WhatIfRequest {
  /** The case's copy of its export. */
  exportCopy: string;
  /** The case's own policy folder (the baseline); null replays against the recorded outcomes. */
  casePoliciesPath: string | null;
  /** What the reviewer picked: one bundle folder, or a folder of bundles holding one the case's folder lacks. */
  policiesPath: string;
}

export interface CompareRequest {
  exportCopy: string;
  earlierPath: string;
  trustPath: string | null;
}

const ref = (b: BundleSource) => `${b.name}@${b.version}`;

/** The one bundle of the picked folder to evaluate against (see WhatIfRequest), with the bundles replay needs beside it. */
function chooseAgainst(caseBundles: readonly BundleSource[], policiesPath: string): { against: BundleSource; bundles: BundleSource[] } {
  const isBundle = statSync(path.join(policiesPath, 'manifest.json'), { throwIfNoEntry: false })?.isFile() ?? false;
  const picked = isBundle ? [loadBundle(path.resolve(policiesPath))] : loadBundleFolder(policiesPath);
  const known = new Set(caseBundles.map((b) => b.digest));
  const fresh = picked.length === 1 ? picked : picked.filter((b) => !known.has(b.digest));
  if (fresh.length === 0) {
    throw new SentenceError(
      `Every bundle in ${policiesPath} (${picked.map(ref).join(', ')}) is already in this case's policy folder; choose the folder of the one bundle to compare with, such as ${path.join(policiesPath, path.basename(picked[picked.length - 1].dir))}.`,
    );
  }
  if (fresh.length > 1) {
    throw new SentenceError(`${policiesPath} holds ${fresh.length} bundles this case's policy folder lacks (${fresh.map(ref).join(', ')}); choose the folder of the one bundle to compare with.`);
  }
  const against = fresh[0];
  return { against, bundles: known.has(against.digest) ? [...caseBundles] : [...caseBundles, against] };
}

export async function whatIfCase(request: WhatIfRequest, onProgress: (eventsRead: number) => void, signal?: AbortSignal): Promise<WhatIfView> {
  let caseBundles: BundleSource[] = [];
  if (request.casePoliciesPath) {
    try {
      caseBundles = loadBundleFolder(request.casePoliciesPath);
    } catch (err) {
      throw new SentenceError(`The case's own policy folder cannot be read, so there is nothing to compare with: ${describeError(err, request.casePoliciesPath)}`);
    }
  }
  let chosen: ReturnType<typeof chooseAgainst>;
  try {
    chosen = chooseAgainst(caseBundles, request.policiesPath);
  } catch (err) {
    throw new SentenceError(describeError(err, request.policiesPath));
  }
  const run = await replayExport({
    exportPath: request.exportCopy,
    policies: chosen.bundles,
    against: chosen.against.digest,
    workers: 0,
    signal,
    onProgress: (_decisions, events) => onProgress(events),
  });
  return whatIfView(run.report.what_if!, run.report.decisions, request.policiesPath);
}

export async function compareCase(request: CompareRequest): Promise<ExportComparison> {
  const trust = request.trustPath ? await loadTrustStore(request.trustPath) : null;
  const result = await compareExports(request.earlierPath, request.exportCopy, trust);
  return comparisonWords(result, path.basename(request.earlierPath));
}
