/**
 * The packets table: every packet cannot be listed in a report of a million packets, so it keeps the
 * first packets of the trace (to show what it looks like) and the evidence packets of the findings (so
 * every finding's packets can be read in place), each up to its own cap, and counts the rest.
 */
import type { Capped, PacketRow } from '../../report/report-model.js';

export class PacketTable {
  private readonly first: PacketRow[] = [];
  private readonly evidence = new Map<number, PacketRow>();
  private total = 0;

  constructor(
    private readonly firstCap: number,
    private readonly evidenceCap: number,
  ) {}

  /** Counts a packet; true when it is one of the first rows (the caller then supplies the row). */
  countPacket(): boolean {
    this.total++;
    return this.first.length < this.firstCap;
  }

  addFirst(row: PacketRow): void {
    if (this.first.length < this.firstCap) this.first.push(row);
  }

  /** True when an evidence row for this frame would still be kept. */
  wantsEvidence(frame: number): boolean {
    if (this.evidence.has(frame)) return false;
    if (this.first.length > 0 && frame <= this.first[this.first.length - 1]!.frame) return false;
    return this.evidence.size < this.evidenceCap;
  }

  addEvidence(row: PacketRow): void {
    if (this.wantsEvidence(row.frame)) this.evidence.set(row.frame, row);
  }

  /**
   * The table. Evidence rows are kept when an analyzer marks a packet, some of which never make it into a
   * finding (a DNS query that was answered after all): only the frames `referenced` by findings stay.
   */
  result(referenced: ReadonlySet<number>): Capped<PacketRow> {
    const evidence = [...this.evidence.values()].filter((row) => referenced.has(row.frame));
    const rows = [...this.first, ...evidence].sort((a, b) => a.frame - b.frame);
    return { rows, total: this.total, omitted: this.total - rows.length };
  }
}
