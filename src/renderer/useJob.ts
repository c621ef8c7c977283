/**
 * The desk's one background job (open, re-verify, replay): its progress,
 * cancel, and how it ends. Progress can beat the reply that names the job,
 * so early progress is kept until the job id is known; a cancel asked for
 * before then is sent as soon as it is.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CaseId, JobId, JobProgress } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';

export interface JobState {
  jobId: JobId | null;
  progress: JobProgress | null;
  cancelRequested: boolean;
}

export interface JobEnds {
  /** The job finished; its case (if it made one) is named. */
  onDone(caseId: CaseId | null): void;
  /** The job failed, could not start, or was cancelled: one sentence, and whether it is an error or just news. */
  onMessage(text: string, kind: 'error' | 'info'): void;
}

export interface Job {
  /** The running job, or null when none runs. */
  job: JobState | null;
  /** Starts a job (clearing any earlier one's state); the promise settles when it has started or failed to. */
  start(begin: () => Promise<{ jobId: JobId }>): Promise<void>;
  cancel(): void;
}

export function useJob(ends: JobEnds): Job {
  const api = useApi();
  const [job, setJob] = useState<JobState | null>(null);
  const jobRef = useRef<JobState | null>(null);
  const early = useRef(new Map<JobId, JobProgress>());
  // The callbacks may change each render; the progress listener reads the latest.
  const endsRef = useRef(ends);
  endsRef.current = ends;

  const update = (next: JobState | null) => {
    jobRef.current = next;
    setJob(next);
  };

  const apply = useCallback((p: JobProgress) => {
    const current = jobRef.current;
    if (!current) return;
    if (p.phase === 'done') {
      update(null);
      endsRef.current.onDone(p.caseId ?? null);
    } else if (p.phase === 'failed') {
      update(null);
      endsRef.current.onMessage(p.error ? sentenceOf(p.error) : 'The job failed without saying why.', 'error');
    } else if (p.phase === 'cancelled') {
      update(null);
      endsRef.current.onMessage('Cancelled. The export was not changed.', 'info');
    } else update({ ...current, progress: p });
  }, []);

  useEffect(
    () =>
      api.onProgress((p) => {
        if (jobRef.current?.jobId === p.jobId) apply(p);
        // Progress can beat the reply that names the job; keep the latest until we know.
        else if (jobRef.current && jobRef.current.jobId === null) early.current.set(p.jobId, p);
      }),
    [api, apply],
  );

  const start = useCallback(
    async (begin: () => Promise<{ jobId: JobId }>) => {
      update({ jobId: null, progress: null, cancelRequested: false });
      try {
        const { jobId } = await begin();
        const current = jobRef.current;
        if (!current) return;
        update({ ...current, jobId });
        if (current.cancelRequested) void api.cancelJob(jobId);
        const seen = early.current.get(jobId);
        early.current.clear();
        if (seen) apply(seen);
      } catch (e) {
        update(null);
        endsRef.current.onMessage(sentenceOf(e), 'error');
      }
    },
    [api, apply],
  );

  const cancel = useCallback(() => {
    const current = jobRef.current;
    if (!current) return;
    if (current.jobId) api.cancelJob(current.jobId).catch((e: unknown) => endsRef.current.onMessage(sentenceOf(e), 'error'));
    else update({ ...current, cancelRequested: true });
  }, [api]);

  return { job, start, cancel };
}
