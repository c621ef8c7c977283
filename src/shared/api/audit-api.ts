/**
 * The one contract between the review UI and the services. The preload
 * object is typed `satisfies AuditApi`, the Electron main registers exactly
 * these channels, and the browser test shell bridges the same calls, so the
 * renderer never knows how a call travels.
 */
import type { Finding, Verdict } from '../verify/findings';
import type { DivergenceView, ReplayCounts, SequenceFindingView, WhatIfView } from '../replay/views';
import type { ExportComparison } from '../verify/comparison';
import type { ConductAnswer, ConductStatus, IntegrityAnswer, IntegrityStatus, SignerAnswer, SignerStatus, Stretch } from '../verify/answers';

export type CaseId = string;

/** What the reviewer is asked to choose: an export, a trust store, a policy folder, or an HMAC key file. */
export type PickKind = 'export' | 'trust' | 'policies' | 'key';
export type JobId = string;

export interface OpenExportRequest {
  /** Absolute path of the export file to open (never modified). */
  exportPath: string;
  /** The reviewer's trust store; remembered per case. */
  trustPath?: string | null;
  /** A folder of policy bundles for replay; remembered per case. */
  policiesPath?: string | null;
  /**
   * The HMAC secret of an AGT file-sink log, as a file of raw bytes. Read for
   * this verification only: neither the secret nor this path is kept in the
   * case store, a report or a log.
   */
  hmacKeyPath?: string | null;
  /** Force a reader instead of detecting the format. */
  format?: string | null;
}

export interface JobProgress {
  jobId: JobId;
  /** An ingest goes verifying, indexing (the verdict known), replaying (with a policy folder), then done. */
  phase: 'hashing' | 'ingest' | 'verify' | 'replay' | 'verifying' | 'indexing' | 'replaying' | 'done' | 'failed' | 'cancelled';
  bytesDone: number;
  bytesTotal: number;
  events: number;
  /** Estimated seconds left, when known. */
  secondsLeft: number | null;
  /**
   * An ingest's answer, from the moment verification ends (phases indexing
   * and replaying): the case is browsable only at done.
   */
  verdict?: { verdict: Verdict; reason: string };
  /** Set on done. */
  caseId?: CaseId;
  /** Set on failed: a sentence naming file, line and what is wrong; never a stack trace. */
  error?: string;
  /** 'what-if' for a what-if replay (no case is made; bytes stay 0 and events count against eventsTotal); absent for an ingest. */
  task?: 'what-if';
  /** A what-if's total: the events of the case. */
  eventsTotal?: number;
}

export interface CaseRef {
  caseId: CaseId;
  exportName: string;
  exportPath: string;
  /** null for an interrupted ingest, which has no verdict. */
  verdict: Verdict | null;
  /** The three answers in a word each (absent for interrupted ingests and cases made by older versions). */
  answers?: { integrity: IntegrityStatus; signer: SignerStatus; signerKey: string | null; conduct: ConductStatus; diverged: number; violations: number };
  /** File name of the trust store the case was verified with, or null when none was used. */
  trustName?: string | null;
  /** The trust store and policy folder the case was made with (absent for interrupted ingests), so opening the export again can use them again. */
  trustPath?: string | null;
  policiesPath?: string | null;
  events: number;
  openedAt: string;
  /**
   * Set when an ingest of this export was killed or crashed before it
   * finished: its half-built case was removed, and the export can be opened
   * again. openedAt is when the leftover was found.
   */
  interrupted?: boolean;
}

export interface CheckpointView {
  line: number;
  seqHi: number;
  treeSize: number;
  keyId: string;
  final: boolean;
  ts: string;
  status: string;
}

export interface CaseSummary {
  caseId: CaseId;
  exportName: string;
  exportPath: string;
  exportSha256: string;
  exportBytes: number;
  format: string;
  /** Why the format was chosen (detection), in words. */
  formatReason: string;
  verdict: Verdict;
  verdictReason: string;
  /** The three answers, apart: is the record intact, who vouches, did the agents behave. */
  integrity: IntegrityAnswer;
  signer: SignerAnswer;
  conduct: ConductAnswer;
  events: number;
  /** Actors of type agent. */
  agents: string[];
  /** Every actor (agents, people, systems): one timeline lane each. */
  actors: string[];
  firstTs: string | null;
  lastTs: string | null;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  checkpoints: CheckpointView[];
  keys: string[];
  anchoredEvents: number;
  findingCounts: Record<string, number>;
  firstFailure: Finding | null;
  trustPath: string | null;
  policiesPath: string | null;
  replay: ReplayCounts | null;
  /** Why replay did not run or failed (no policy folder, a bundle that does not parse …), in words. */
  replayError: string | null;
  /** SHA-256 of the canonical replay report, so it can be reproduced. */
  replayReportSha256: string | null;
  /** Members a format's hash, HMAC or signature does not cover. */
  unauthenticatedFields: string[];
  /** When this case was made by pointing an earlier case at another trust store or policy folder: what became of its notes. */
  notesFrom: NotesCarried | null;
}

/** The reviewer notes of the case a re-examination started from. */
export interface NotesCarried {
  caseId: CaseId;
  /** Notes (each with its whole history) copied into this case. */
  carried: number;
  /** Why they were not copied, in words; null when they were. */
  refused: string | null;
}

/** How `agent` matches: the event's actor, the agent it is about (a decision's principal, the requester of an approval), or either (the default). */
export type AgentRole = 'actor' | 'subject' | 'either';

export interface EventQuery {
  offset: number;
  limit: number;
  /** Events by this agent or about it (see agentRole). */
  agent?: string | null;
  agentRole?: AgentRole | null;
  kind?: string | null;
  /** 'allow' | 'deny' | 'require_approval' */
  outcome?: string | null;
  /** Only events with a finding (of this kind, or any when '*'). */
  finding?: string | null;
  /** Only events with a replay divergence. */
  diverged?: boolean | null;
  fromTs?: string | null;
  toTs?: string | null;
  /** Only events with seq in [seqFrom, seqTo] (a stretch). */
  seqFrom?: number | null;
  seqTo?: number | null;
  text?: string | null;
}

export interface EventRow {
  /** 0-based position among the events of the file. */
  index: number;
  seq: number;
  line: number;
  ts: string;
  kind: string;
  actorType: string;
  actorId: string;
  outcome: string | null;
  findingKinds: string[];
  replayStatus: 'match' | 'diverged' | 'not-replayable' | null;
  /** A one-line description (tool, request id, …), plain text. */
  summary: string;
}

/** What a search term was found as. */
export type SearchKey = 'event hash' | 'recomputed hash' | 'previous hash' | 'request id' | 'decision id';

export interface SearchResult {
  term: string;
  /** In file order; a term can be one event's hash and the next one's previous hash. */
  matches: { by: SearchKey; row: EventRow }[];
  /** More matched than were returned (MAX_SEARCH_MATCHES). */
  truncated: boolean;
}

export type RequestStage = 'requested' | 'decision' | 'approval asked' | 'approved' | 'refused' | 'projected' | 'executed' | 'failed' | 'other';

export interface RequestStep {
  row: EventRow;
  stage: RequestStage;
  /** Milliseconds since the request's first event, when both have a time. */
  afterMs: number | null;
  /** What the step says, in words (the decision's policies, who approved, the error …); plain text. */
  detail: string;
  /** Conduct findings (sequence findings) on this step, in words. */
  conduct: { kind: string; severity: 'violation' | 'warning'; message: string }[];
}

/** One request from start to end: every event carrying its request id, in file order. */
export interface RequestStory {
  requestId: string;
  /** Who asked: the actor of its action.requested, if recorded. */
  requester: string | null;
  steps: RequestStep[];
  /** How it ended, in words ("executed 4.2 s after it was requested", "denied; not executed" …). */
  ending: string;
  /** Steps left out past MAX_STORY_STEPS. */
  truncated: boolean;
}

export interface EventPage {
  total: number;
  offset: number;
  rows: EventRow[];
}

export interface ProofStep {
  side: 'left' | 'right';
  sibling: string;
  result: string;
}

export interface EventProof {
  index: number;
  seq: number;
  line: number;
  raw: string;
  canonical: string;
  recordedHash: string;
  recomputedHash: string;
  /** null when the format records no hash for its entries (OPA, OTLP): nothing to recompute. */
  hashMatches: boolean | null;
  prevHash: string;
  /** The hash of the event before it (or the genesis) and whether they link. */
  expectedPrevHash: string | null;
  linkMatches: boolean | null;
  checkpoint: (CheckpointView & { merkleRoot: string }) | null;
  leafHash: string | null;
  inclusion: ProofStep[];
  inclusionOk: boolean | null;
  findings: Finding[];
  unauthenticatedFields: string[];
  /** The unproven stretch this event lies in, if any: then its green ticks prove nothing. */
  unproven: Stretch | null;
}

export interface TimelineQuery {
  fromTs?: string | null;
  toTs?: string | null;
  buckets: number;
}

export interface TimelineLaneMarker {
  index: number;
  seq: number;
  ts: string;
  kind: string;
  marker: 'finding' | 'divergence' | 'deny' | 'approval' | 'killswitch';
}

export interface TimelineData {
  fromTs: string | null;
  toTs: string | null;
  agents: string[];
  /** Per bucket: start time and counts by outcome. */
  buckets: { start: string; total: number; allow: number; deny: number; requireApproval: number; other: number }[];
  /** Per agent, per bucket, event counts by kind family. */
  lanes: { agent: string; counts: { kind: string; bucket: number; count: number }[] }[];
  markers: TimelineLaneMarker[];
}

export type NoteTargetKind = 'event' | 'finding' | 'divergence' | 'sequence-finding' | 'case';

/** What a note is about: an event (by 0-based position), a finding (kind, and its event when it has one), a divergence or sequence finding (by event position), or the whole case. */
export interface NoteTarget {
  kind: NoteTargetKind;
  index?: number | null;
  finding?: string | null;
}

export const NOTE_TAGS = ['confirmed incident', 'false alarm', 'needs follow-up'] as const;

export interface NoteInput {
  target: NoteTarget;
  text: string;
  /** Suggested: NOTE_TAGS; any short free tag is allowed. */
  tags: string[];
  author: string;
}

export interface NoteEdit {
  text: string;
  tags: string[];
  author: string;
}

export interface NoteVersion {
  version: number;
  author: string;
  /** RFC 3339 UTC, when this version was written. */
  at: string;
  text: string;
  tags: string[];
}

export interface CaseNote {
  noteId: number;
  target: { kind: NoteTargetKind; index: number | null; finding: string | null; seq: number | null; line: number | null };
  /** The newest version; `history` holds every version, oldest first. */
  current: NoteVersion;
  history: NoteVersion[];
}

export type ReportFormat = 'json' | 'html' | 'pdf';

export interface ReportExport {
  path: string;
  format: ReportFormat;
  /** The JSON report's own SHA-256 (the same for every format of one report). */
  reportSha256: string;
  bytes: number;
}

/** What the shell around the desk offers: a file dialog (the desktop app) or not (a browser), and where the bundled sample is. */
export interface DeskInfo {
  canPickFiles: boolean;
  /** The bundled sample export with its trust store and policies, or null when this install has none. */
  sample: OpenExportRequest | null;
}

/** One entry's proof (audit-replay-proof/1, docs/verification.md), made from a case. */
export interface EntryProofExport {
  /** The file name suggested for it (the served desk downloads it under this name). */
  fileName: string;
  /** The proof file's text: a few kilobytes of JSON. */
  text: string;
  sha256: string;
  bytes: number;
  /** Where it was written; null when it was not (the served desk hands `text` to the browser as a download). */
  path: string | null;
  /** The command that re-checks it offline. */
  command: string;
}

export interface AuditApi {
  getDeskInfo(): Promise<DeskInfo>;
  /** Ask the reviewer for a file (desktop dialog); null when cancelled or unavailable. */
  pickFile(kind: PickKind): Promise<string | null>;
  openExport(request: OpenExportRequest): Promise<{ jobId: JobId }>;
  cancelJob(jobId: JobId): Promise<void>;
  /** Subscribe to progress of background jobs; returns an unsubscribe function. */
  onProgress(listener: (progress: JobProgress) => void): () => void;
  listRecentCases(): Promise<CaseRef[]>;
  getCaseSummary(caseId: CaseId): Promise<CaseSummary>;
  setCaseInputs(caseId: CaseId, inputs: { trustPath?: string | null; policiesPath?: string | null }): Promise<{ jobId: JobId }>;
  queryEvents(caseId: CaseId, query: EventQuery): Promise<EventPage>;
  getEventProof(caseId: CaseId, index: number): Promise<EventProof>;
  listFindings(caseId: CaseId): Promise<Finding[]>;
  listDivergences(caseId: CaseId): Promise<DivergenceView[]>;
  listSequenceFindings(caseId: CaseId): Promise<SequenceFindingView[]>;
  getTimeline(caseId: CaseId, query: TimelineQuery): Promise<TimelineData>;
  /** Events whose hash (or a prefix of 8+ hex digits), request id or decision id is the term. */
  searchEvents(caseId: CaseId, term: string): Promise<SearchResult>;
  /** The story of the request the event at this position belongs to; null when it names no request. */
  getRequestStory(caseId: CaseId, index: number): Promise<RequestStory | null>;
  addNote(caseId: CaseId, note: NoteInput): Promise<CaseNote>;
  /** Appends a version; the earlier ones stay. */
  editNote(caseId: CaseId, noteId: number, edit: NoteEdit): Promise<CaseNote>;
  /** Every note of the case, or those about one target. */
  listNotes(caseId: CaseId, target?: NoteTarget | null): Promise<CaseNote[]>;
  /**
   * Re-runs verification and replay from the case's inputs and writes the
   * evidence report with the case's notes. The desktop app asks where to save
   * (outPath must be absent there); null when the reviewer cancels.
   */
  exportReport(caseId: CaseId, format: ReportFormat, outPath?: string | null): Promise<ReportExport | null>;
  /**
   * The proof of the event at this position, checked offline by
   * `audit-replay verify-proof`. Written to outPath when given; the desktop
   * app asks where to save (outPath must be absent there, null when the
   * reviewer cancels). Refused, in a sentence, for an event no checkpoint
   * with a signature that holds covers: such a proof would prove nothing.
   */
  exportEntryProof(caseId: CaseId, index: number, outPath?: string | null): Promise<EntryProofExport | null>;
  /**
   * What-if: replays the case's decisions against another policy bundle (a
   * bundle folder, or a folder with one bundle the case's own folder lacks) as
   * a job; its result is `getWhatIfResult(jobId)` once the job is done. The
   * desktop app asks for the folder itself (policiesPath must be absent
   * there); null when the reviewer cancels.
   */
  whatIf(caseId: CaseId, policiesPath?: string | null): Promise<{ jobId: JobId } | null>;
  /** The result of a finished what-if job (kept for the last few jobs). */
  getWhatIfResult(jobId: JobId): Promise<WhatIfView>;
  /**
   * Does the case's export carry an earlier export of the same chain on
   * unchanged, or where does it depart from it? The desktop app asks for the
   * earlier file itself (earlierPath must be absent there); null when the
   * reviewer cancels.
   */
  compareExport(caseId: CaseId, earlierPath?: string | null): Promise<ExportComparison | null>;
}

/** Channel names, grouped by feature; the IPC surface is snapshot-tested. */
export const AUDIT_CHANNELS = {
  getDeskInfo: 'desk.info',
  pickFile: 'dialog.pickFile',
  openExport: 'case.openExport',
  cancelJob: 'job.cancel',
  listRecentCases: 'case.listRecent',
  getCaseSummary: 'case.summary',
  setCaseInputs: 'case.setInputs',
  queryEvents: 'events.query',
  getEventProof: 'verify.eventProof',
  listFindings: 'verify.findings',
  listDivergences: 'replay.divergences',
  listSequenceFindings: 'replay.sequenceFindings',
  getTimeline: 'events.timeline',
  searchEvents: 'events.search',
  getRequestStory: 'events.requestStory',
  addNote: 'notes.add',
  editNote: 'notes.edit',
  listNotes: 'notes.list',
  exportReport: 'report.export',
  exportEntryProof: 'verify.exportEntryProof',
  whatIf: 'replay.whatIf',
  getWhatIfResult: 'replay.whatIfResult',
  compareExport: 'verify.compareExport',
} as const satisfies Record<Exclude<keyof AuditApi, 'onProgress'>, string>;

export const PROGRESS_CHANNEL = 'job.progress';
