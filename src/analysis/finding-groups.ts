/**
 * Findings built up while packets stream past, the one way every analyzer does it:
 *  - FindingEvidence: a count, the time span and the first evidence packets (capped, so a finding's size
 *    never grows with the trace); packets may also be held as possible evidence until the analyzer knows;
 *  - FindingGroup: that, plus the finding's words (rule, severity, title...) and its details;
 *  - CappedGroups: groups by key (a server, a client...) up to a limit, further keys sharing one "other"
 *    group, so a trace with a million failing connections still gives a bounded list whose counts add up;
 *  - FindingGroups: FindingGroups by key, capped per rule;
 *  - CappedList: distinct values (ports probed, user names tried) up to a limit, the rest counted.
 */
import { type AnalyzedPacket, evidenceOf } from './analyzed-packet.js';
import { type EvidenceRef, type Finding, type FindingCategory, type Severity, MAX_EVIDENCE_PER_FINDING, worseSeverity } from './finding.js';
import { compareTime, formatUtc } from '../model/time.js';
import { HeldPacket, type LateEvidenceRows, heldReference } from './evidence-rows.js';

export type DetailValue = Finding['details'][string];

/** The words and facts of a finding: everything its analyzer decides beyond count, times and evidence. */
export interface FindingText {
  title: string;
  explanation: string;
  subject: Finding['subject'];
  details: Finding['details'];
}

/** Values kept in a list detail (ports probed, user names tried): enough to show, bounded. */
export const MAX_DETAIL_LIST = 50;

/** The key of the group that collects what did not fit in a CappedGroups table. */
export const OTHER_GROUP = '(other)';

export class FindingEvidence {
  count = 0;
  readonly refs: EvidenceRef[] = [];
  /** The held packets among `refs` (see evidence-rows.ts), and where their rows go if they reach a finding. */
  private held: HeldPacket[] | null = null;
  private lateRows: LateEvidenceRows | null = null;
  private firstSec = 0;
  private firstNsec = 0;
  private lastSec = 0;
  private lastNsec = 0;
  private spanKnown = false;

  /** Counts one packet (or `count` events it proves) and keeps it as evidence while there is room. */
  add(p: AnalyzedPacket, note: string, count = 1): void {
    this.count += count;
    this.addContext(p, note);
  }

  /** Keeps a packet as evidence (and in the time span) without counting it: the query an error answers. */
  addContext(p: AnalyzedPacket, note: string): void {
    this.extend(p.packet.timeSec, p.packet.timeNsec);
    if (this.refs.length < MAX_EVIDENCE_PER_FINDING) this.refs.push(evidenceOf(p, note));
  }

  /** Counts the packet without keeping it as evidence (callers check hasRoomForEvidence first to spare building a note). */
  countPacket(p: AnalyzedPacket, count = 1): void {
    this.addEvent(p.packet.timeSec, p.packet.timeNsec, count);
  }

  /** Counts events at a time without a packet at hand (a connection that timed out...). */
  addEvent(timeSec: number, timeNsec: number, count = 1): void {
    this.extend(timeSec, timeNsec);
    this.count += count;
  }

  /** Evidence recorded earlier (kept by a detector until it knew the finding was real). */
  addEvidence(refs: readonly EvidenceRef[]): void {
    for (const ref of refs) if (this.refs.length < MAX_EVIDENCE_PER_FINDING) this.refs.push(ref);
  }

  get hasRoomForEvidence(): boolean {
    return this.refs.length < MAX_EVIDENCE_PER_FINDING;
  }

  /**
   * Keeps a packet that may or may not become evidence (a query still waiting for its answer), without
   * counting it and without marking it: a copy of it is kept, and its table row goes to `lateRows` (the
   * analyzer's, for the report) only if a finding takes this evidence in.
   */
  hold(p: AnalyzedPacket, note: string, lateRows: LateEvidenceRows): void {
    this.extend(p.packet.timeSec, p.packet.timeNsec);
    if (this.refs.length >= MAX_EVIDENCE_PER_FINDING) return;
    this.refs.push(heldReference(p, note));
    (this.held ??= []).push(new HeldPacket(p));
    this.lateRows = lateRows;
  }

  /** Takes over another collection's span and evidence (not its count). */
  absorb(other: FindingEvidence): void {
    if (other.spanKnown) {
      this.extend(other.firstSec, other.firstNsec);
      this.extend(other.lastSec, other.lastNsec);
    }
    const room = MAX_EVIDENCE_PER_FINDING - this.refs.length;
    const taken = other.refs.slice(0, Math.max(0, room));
    this.refs.push(...taken);
    if (other.held === null) return;
    this.lateRows ??= other.lateRows;
    const frames = new Set(taken.map((ref) => ref.frame));
    for (const packet of other.held) if (frames.has(packet.frame)) (this.held ??= []).push(packet);
  }

  /** Takes over another collection's count as well as its span and evidence. */
  merge(other: FindingEvidence): void {
    this.count += other.count;
    this.absorb(other);
  }

  get firstSeconds(): number {
    return this.firstSec + this.firstNsec / 1e9;
  }

  get lastSeconds(): number {
    return this.lastSec + this.lastNsec / 1e9;
  }

  private extend(sec: number, nsec: number): void {
    if (!this.spanKnown || compareTime(sec, nsec, this.firstSec, this.firstNsec) < 0) {
      this.firstSec = sec;
      this.firstNsec = nsec;
    }
    if (!this.spanKnown || compareTime(sec, nsec, this.lastSec, this.lastNsec) > 0) {
      this.lastSec = sec;
      this.lastNsec = nsec;
    }
    this.spanKnown = true;
  }

  /** The finding; the rows of its held evidence go to the report's packets table. */
  toFinding(rule: string, category: FindingCategory, severity: Severity, text: FindingText): Finding {
    if (this.held !== null) this.lateRows?.addHeld(this.held);
    return {
      rule,
      category,
      severity,
      ...text,
      firstTime: formatUtc(this.firstSec, this.firstNsec),
      lastTime: formatUtc(this.lastSec, this.lastNsec),
      count: this.count,
      evidence: [...this.refs].sort((a, b) => a.frame - b.frame || a.input - b.input),
    };
  }
}

/** How many distinct values past the cap a CappedList still tells apart, per value it shows. */
const DISTINCT_COUNTED_PER_SHOWN = 20;

/** Up to `limit` distinct values in first-seen order, and how many distinct others were left out. */
export class CappedList<T extends string | number = string> {
  readonly values: T[] = [];
  omitted = 0;
  private readonly seen = new Set<T>();

  constructor(private readonly limit = 25) {}

  add(value: T): void {
    if (this.seen.has(value)) return;
    // Past the counting bound a repeated value may be counted again: the number becomes "at least".
    if (this.seen.size < this.limit * DISTINCT_COUNTED_PER_SHOWN) this.seen.add(value);
    if (this.values.length < this.limit) this.values.push(value);
    else this.omitted++;
  }

  get size(): number {
    return this.values.length + this.omitted;
  }

  /** "a, b, c" or "a, b, c and 4 more". */
  text(): string {
    const shown = this.values.join(', ');
    return this.omitted > 0 ? `${shown} and ${this.omitted} more` : shown;
  }
}

export interface GroupSpec {
  rule: string;
  category: FindingCategory;
  severity: Severity;
  title: string;
  explanation: string;
  subject: Finding['subject'];
}

/** Evidence and words of one finding, with its details. */
export class FindingGroup extends FindingEvidence {
  readonly details: Record<string, DetailValue> = {};
  private readonly lists = new Map<string, CappedList<string | number>>();

  constructor(public spec: GroupSpec) {
    super();
  }

  /** Adds `value` to a list detail unless present or the list is full; `${key}NotListed` counts what did not fit. */
  listDetail(key: string, value: string | number): void {
    let list = this.lists.get(key);
    if (list === undefined) {
      list = new CappedList<string | number>(MAX_DETAIL_LIST);
      this.lists.set(key, list);
    }
    list.add(value);
  }

  /** Adds to a numeric detail. */
  sumDetail(key: string, amount: number): void {
    this.details[key] = Number(this.details[key] ?? 0) + amount;
  }

  /** Keeps the larger of the current and `value`. */
  maxDetail(key: string, value: number): void {
    const current = this.details[key];
    if (typeof current !== 'number' || value > current) this.details[key] = value;
  }

  /** The finding as its spec and details say. */
  finding(): Finding {
    const s = this.spec;
    const details: Record<string, DetailValue> = { ...this.details };
    for (const [key, list] of this.lists) {
      details[key] = list.values as string[] | number[];
      if (list.omitted > 0) details[`${key}NotListed`] = list.omitted;
    }
    return this.toFinding(s.rule, s.category, s.severity, { title: s.title, explanation: s.explanation, subject: { ...s.subject }, details });
  }
}

/**
 * Groups of one kind by key (a server, a client, a router...). Past `limit` keys, new keys share one group
 * under OTHER_GROUP, so the report stays bounded and still counts everything.
 */
export class CappedGroups<G> {
  private readonly groups = new Map<string, G>();
  private other: G | null = null;
  /** Distinct keys folded into the "other" group. */
  otherKeys = 0;
  private readonly otherSeen = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly create: (key: string) => G,
  ) {}

  /** The group of `key`, made by `create` (the table's own by default) the first time, or the "other" group. */
  get(key: string, create: (key: string) => G = this.create): G {
    const known = this.groups.get(key);
    if (known !== undefined) return known;
    if (this.groups.size < this.limit) {
      const group = create(key);
      this.groups.set(key, group);
      return group;
    }
    // Remember a bounded number of folded keys, only to count them.
    if (this.otherSeen.size < this.limit * 50 && !this.otherSeen.has(key)) {
      this.otherSeen.add(key);
      this.otherKeys++;
    }
    this.other ??= create(OTHER_GROUP);
    return this.other;
  }

  /** The group of `key` if it has one of its own. */
  peek(key: string): G | undefined {
    return this.groups.get(key);
  }

  /** True for the group that collects the keys past the limit. */
  isOther(group: G): boolean {
    return group === this.other;
  }

  /** Every group, the "other" one last. */
  entries(): [string, G][] {
    const all = [...this.groups];
    if (this.other !== null) all.push([OTHER_GROUP, this.other]);
    return all;
  }
}

/**
 * FindingGroups by key, at most `maxGroupsPerRule` of one rule listed one by one; further keys of a rule
 * are merged into one "other" finding of that rule, as bad as the worst finding merged into it.
 */
export class FindingGroups {
  /** The groups listed one by one, by key: the lookup of every packet, which builds no spec. */
  private readonly listed = new Map<string, FindingGroup>();
  private readonly byRule = new Map<string, CappedGroups<FindingGroup>>();

  constructor(private readonly maxGroupsPerRule: number) {}

  /** The group for `key` (made from `spec()` the first time), or the rule's "other" group past the cap. */
  get(key: string, spec: () => GroupSpec): FindingGroup {
    const known = this.listed.get(key);
    if (known !== undefined) return known;
    const made = spec();
    let table = this.byRule.get(made.rule);
    if (table === undefined) {
      table = new CappedGroups<FindingGroup>(this.maxGroupsPerRule, () => new FindingGroup(made));
      this.byRule.set(made.rule, table);
    }
    const group = table.get(key, (k) => new FindingGroup(k === OTHER_GROUP ? this.otherSpec(made) : made));
    if (!table.isOther(group)) this.listed.set(key, group);
    else group.spec = { ...group.spec, severity: worseSeverity(group.spec.severity, made.severity) };
    return group;
  }

  /** The group for `key` if it exists. */
  peek(key: string): FindingGroup | undefined {
    return this.listed.get(key);
  }

  private otherSpec(made: GroupSpec): GroupSpec {
    return { ...made, title: `Further "${made.rule}" findings (beyond the ${this.maxGroupsPerRule} listed one by one)`, subject: {} };
  }

  findings(): Finding[] {
    const groups = [...this.byRule.values()].flatMap((table) => table.entries().map(([, group]) => group));
    return groups.filter((g) => g.count > 0).map((g) => g.finding());
  }
}
