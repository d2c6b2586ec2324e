/**
 * Packets out of time order in an input: the reader puts each input back in time order within its window
 * (1 s or 512 packets, input/time-order-window.ts); a packet stamped before one that came ahead of it by
 * more than that goes on where it came, so in the analysed stream its input's time steps back. Those are
 * exactly the packets the reader counts as late, and here they also get a finding: the analysis around
 * them (TCP retransmissions, out-of-order segments, duplicate ACKs, the time line) may be an artefact of
 * the order, not of the network. A trace writer that wrapped (its oldest records follow its newest), data
 * sets concatenated in the wrong order, or a clock set back all look like this.
 */
import type { AnalyzedPacket, InputAnalyzer, InputFacts } from './analyzed-packet.js';
import type { EvidenceRef, Finding } from './finding.js';
import { evidenceOf } from './analyzed-packet.js';
import { compareTime, formatUtc, NS_PER_SECOND } from '../model/time.js';
import { REORDER_WINDOW_NS, REORDER_WINDOW_PACKETS } from '../input/time-order-window.js';

/** One input's clock: the latest time seen, and the packets stamped before it. */
class InputClock {
  newestSec = 0;
  newestNsec = 0;
  newestFrame = 0;
  late = 0;
  firstLateSec = 0;
  firstLateNsec = 0;
  lastLateSec = 0;
  lastLateNsec = 0;
  /** The longest step back, in nanoseconds, and the packet that took it (its trace record, if any). */
  longestNs = 0;
  longestEvidence: EvidenceRef | null = null;
}

function seconds(ns: number): string {
  const sec = ns / NS_PER_SECOND;
  return sec >= 3600 ? `${(sec / 3600).toFixed(1)} h` : sec >= 60 ? `${(sec / 60).toFixed(1)} min` : `${sec.toFixed(3)} s`;
}

export class TimeOrderAnalyzer implements InputAnalyzer {
  readonly name = 'time-order';
  /** By input index (a run has a handful of inputs). */
  private readonly clocks: InputClock[] = [];

  observe(p: AnalyzedPacket): void {
    const clock = (this.clocks[p.input] ??= new InputClock());
    const { timeSec, timeNsec } = p.packet;
    if (clock.newestFrame === 0 || compareTime(timeSec, timeNsec, clock.newestSec, clock.newestNsec) >= 0) {
      clock.newestSec = timeSec;
      clock.newestNsec = timeNsec;
      clock.newestFrame = p.frame;
      return;
    }
    if (clock.late === 0) {
      clock.firstLateSec = timeSec;
      clock.firstLateNsec = timeNsec;
    }
    clock.late++;
    clock.lastLateSec = timeSec;
    clock.lastLateNsec = timeNsec;
    const backNs = (clock.newestSec - timeSec) * NS_PER_SECOND + (clock.newestNsec - timeNsec);
    if (backNs > clock.longestNs) {
      clock.longestNs = backNs;
      clock.longestEvidence = evidenceOf(p, `stamped ${seconds(backNs)} before frame ${clock.newestFrame}, which came ahead of it`);
    }
  }

  /** The findings name the inputs: the pipeline asks with them (see findingsFor). */
  finish(): Finding[] {
    return [];
  }

  /** One warning per input whose time steps back. */
  findingsFor(inputs: readonly InputFacts[]): Finding[] {
    const findings: Finding[] = [];
    this.clocks.forEach((clock, input) => {
      if (clock.late === 0) return;
      const path = inputs[input]?.path ?? `input ${input + 1}`;
      const record = clock.longestEvidence?.record ?? null;
      const where = record === null ? '' : ` (at trace record ${record})`;
      findings.push({
        rule: 'capture.time_order',
        category: 'capture',
        severity: 'warning',
        title: `Packets out of time order in ${path}`,
        explanation:
          `${clock.late} packets of ${path} are stamped before packets that came ahead of them, by up to ${seconds(clock.longestNs)}${where}: ` +
          `more than zctrace puts back in order (${REORDER_WINDOW_NS / NS_PER_SECOND} s or ${REORDER_WINDOW_PACKETS} packets), so they are analysed and written where they came. ` +
          'Findings around them (retransmissions, out-of-order segments, duplicate ACKs, pauses) and the time line may come from the order, not the network. ' +
          'Causes: a trace writer that wrapped (its oldest records follow its newest), data sets concatenated or given in the wrong order, or a clock set back.',
        subject: { input: path },
        firstTime: formatUtc(clock.firstLateSec, clock.firstLateNsec),
        lastTime: formatUtc(clock.lastLateSec, clock.lastLateNsec),
        count: clock.late,
        evidence: clock.longestEvidence === null ? [] : [clock.longestEvidence],
        details: {
          latePackets: clock.late,
          longestStepBackSec: Number((clock.longestNs / NS_PER_SECOND).toFixed(6)),
          ...(record === null ? {} : { longestStepBackAtRecord: record }),
        },
      });
    });
    return findings;
  }
}
