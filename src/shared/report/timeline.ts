/**
 * The report's timeline: events per actor lane and recorded outcomes per time
 * bucket. Bucket edges are whole milliseconds from the first event's time, so
 * the same events always give the same buckets.
 */
import type { ReportTimeline, TimelineMark } from './types';

export const TIMELINE_BUCKETS = 48;
export const MAX_LANES = 12;
export const OTHER_ACTORS = '(other actors)';

const OUTCOMES = ['allow', 'deny', 'require_approval'] as const;
const MARK_ORDER: TimelineMark[] = ['finding', 'divergence', 'sequence', 'deny'];

export class TimelineCollector {
  private readonly ms: number[] = [];
  private readonly actor: number[] = [];
  private readonly outcome: number[] = [];
  private readonly actors: { id: string; type: string; events: number }[] = [];
  private readonly actorIndex = new Map<string, number>();
  private undated = 0;

  /** Events in any order; `index` is the event's 0-based position. */
  add(index: number, ts: string, actorType: string, actorId: string, outcome: string | null): void {
    const key = `${actorType}\u0000${actorId}`;
    let a = this.actorIndex.get(key);
    if (a === undefined) {
      a = this.actors.length;
      this.actors.push({ id: actorId, type: actorType, events: 0 });
      this.actorIndex.set(key, a);
    }
    const ms = /^\d{4}-\d\d-\d\dT/.test(ts) ? Date.parse(ts) : NaN;
    if (Number.isNaN(ms)) {
      this.undated++;
      this.ms[index] = NaN;
    } else this.ms[index] = ms;
    this.actor[index] = a;
    this.outcome[index] = (OUTCOMES as readonly string[]).indexOf(outcome ?? '');
    this.actors[a].events++;
  }

  build(marks: ReadonlyMap<number, readonly TimelineMark[]>): ReportTimeline | null {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of this.ms) {
      if (v === undefined || Number.isNaN(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) return null;
    const buckets = TIMELINE_BUCKETS;
    const width = Math.max(1, Math.ceil((hi - lo + 1) / buckets));
    const rank = (t: string) => (t === 'agent' ? 0 : t === 'human' ? 1 : t === 'system' ? 2 : 3);
    const order = this.actors.map((a, i) => ({ ...a, i })).sort((x, y) => rank(x.type) - rank(y.type) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const laneOf = new Array<number>(this.actors.length);
    const lanes: ReportTimeline['lanes'] = [];
    for (const a of order) {
      if (lanes.length < MAX_LANES - 1 || order.length <= MAX_LANES) {
        laneOf[a.i] = lanes.length;
        lanes.push({ actor: a.id, actor_type: a.type, events: 0, counts: new Array(buckets).fill(0), marks: [] });
      } else {
        if (lanes.length < MAX_LANES) lanes.push({ actor: OTHER_ACTORS, actor_type: 'mixed', events: 0, counts: new Array(buckets).fill(0), marks: [] });
        laneOf[a.i] = MAX_LANES - 1;
      }
    }
    const outcomes = Array.from({ length: buckets }, () => ({ allow: 0, deny: 0, require_approval: 0 }));
    const markCounts = lanes.map(() => new Map<string, number>());
    for (let i = 0; i < this.ms.length; i++) {
      const v = this.ms[i];
      if (v === undefined || Number.isNaN(v)) continue;
      const b = Math.min(buckets - 1, Math.floor((v - lo) / width));
      const lane = laneOf[this.actor[i]];
      lanes[lane].counts[b]++;
      lanes[lane].events++;
      const o = this.outcome[i];
      if (o >= 0) outcomes[b][OUTCOMES[o]]++;
      const m = marks.get(i);
      if (m) for (const mark of new Set(m)) markCounts[lane].set(`${b}\u0000${mark}`, (markCounts[lane].get(`${b}\u0000${mark}`) ?? 0) + 1);
    }
    lanes.forEach((lane, li) => {
      lane.marks = [...markCounts[li]]
        .map(([k, count]) => {
          const [b, mark] = k.split('\u0000');
          return { bucket: Number(b), mark: mark as TimelineMark, count };
        })
        .sort((x, y) => x.bucket - y.bucket || MARK_ORDER.indexOf(x.mark) - MARK_ORDER.indexOf(y.mark));
    });
    return { from: new Date(lo).toISOString(), to: new Date(hi).toISOString(), bucket_ms: width, buckets, lanes, outcomes, undated: this.undated };
  }
}
