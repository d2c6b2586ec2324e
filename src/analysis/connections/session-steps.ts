/**
 * The packets of one TCP session as kept for its sequence-of-execution ladder (exception-catalog B.5) and
 * for evidence rows found only when the session ends (a connection attempt that was never answered). A
 * step holds numbers and references the packet's already shared objects (interface, CTRACE facts), never
 * the packet bytes.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { LadderStep, PacketRow } from '../../report/report-model.js';
import type { CtraceMeta, Direction, TraceInterface } from '../../model/trace-packet.js';
import type { EvidenceRef } from '../finding.js';
import { ctraceColumns, tcpFlagWords } from '../views/packet-rows.js';
import { tcpFlagNames } from '../tcp/tcp-flags.js';
import { formatUtc } from '../../model/time.js';

export interface SessionStep {
  frame: number;
  input: number;
  record: number | null;
  timeSec: number;
  timeNsec: number;
  fromA: boolean;
  /** IP datagram length. */
  size: number;
  tcpFlags: number;
  seq: number;
  ack: number;
  window: number;
  payload: number;
  analysisFlags: number;
  direction: Direction;
  iface: TraceInterface;
  ctrace: CtraceMeta | null;
}

export function stepOf(p: AnalyzedPacket, size: number): SessionStep {
  const tcp = p.tcp!;
  return {
    frame: p.frame,
    input: p.input,
    record: p.packet.ctrace?.recordNumber ?? null,
    timeSec: p.packet.timeSec,
    timeNsec: p.packet.timeNsec,
    fromA: p.tcpFromA === true,
    size,
    tcpFlags: tcp.tcp.flags,
    seq: tcp.tcp.seq,
    ack: tcp.tcp.ack,
    window: tcp.tcp.window,
    payload: tcp.payloadLength,
    analysisFlags: p.tcpFlags,
    direction: p.packet.direction,
    iface: p.packet.interface,
    ctrace: p.packet.ctrace,
  };
}

/** "ACK PSH len 22 seq 452077435 ack 1257181376 win 32741 [retransmission]" */
export function stepSummary(step: SessionStep): string {
  const flags = step.analysisFlags === 0 ? '' : ` [${tcpFlagNames(step.analysisFlags).map((n) => n.replace(/_/g, ' ')).join(', ')}]`;
  const length = step.payload > 0 ? ` len ${step.payload}` : '';
  return `${tcpFlagWords(step.tcpFlags)}${length} seq ${step.seq} ack ${step.ack} win ${step.window}${flags}`;
}

export function stepTime(step: SessionStep): string {
  return formatUtc(step.timeSec, step.timeNsec);
}

export function stepEvidence(step: SessionStep, note: string): EvidenceRef {
  return { frame: step.frame, input: step.input, record: step.record, time: stepTime(step), note };
}

/** Ladder steps with the gap since the previous step; the `largestGaps` biggest gaps are marked. */
export function ladderSteps(steps: readonly SessionStep[], originatorIsA: boolean, largestGaps = 3): LadderStep[] {
  const rows: LadderStep[] = steps.map((step, i) => {
    const previous = i === 0 ? step : steps[i - 1]!;
    const delta = step.timeSec - previous.timeSec + (step.timeNsec - previous.timeNsec) / 1e9;
    return {
      frame: step.frame,
      record: step.record,
      time: stepTime(step),
      deltaSec: Math.max(0, Math.round(delta * 1e9) / 1e9),
      arrow: step.fromA === originatorIsA ? 'right' : 'left',
      summary: stepSummary(step),
      largestGap: false,
    };
  });
  const byGap = rows.slice(1).filter((row) => row.deltaSec > 0).sort((x, y) => y.deltaSec - x.deltaSec);
  for (const row of byGap.slice(0, largestGaps)) row.largestGap = true;
  return rows;
}

/** The packets-table row of a step, for evidence found after its packet had gone by. */
export function packetRowOfStep(step: SessionStep, endpointA: string, endpointB: string): PacketRow {
  const length = step.payload > 0 ? ` len ${step.payload}` : '';
  const flags = step.analysisFlags === 0 ? '' : ` [${tcpFlagNames(step.analysisFlags).map((n) => n.replace(/_/g, ' ')).join(', ')}]`;
  return {
    frame: step.frame,
    input: step.input,
    record: step.record,
    time: stepTime(step),
    size: step.size,
    direction: step.direction,
    source: step.fromA ? endpointA : endpointB,
    destination: step.fromA ? endpointB : endpointA,
    protocol: 'TCP',
    message: `${tcpFlagWords(step.tcpFlags)}${length}${flags}`,
    seq: step.seq,
    ack: step.ack,
    window: step.window,
    ctrace: ctraceColumns({ interface: step.iface, ctrace: step.ctrace }),
  };
}
