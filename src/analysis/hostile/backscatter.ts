/**
 * Backscatter (exception-catalog SCAN-14, TCP-04/05): SYN-ACKs and RSTs arriving for connections nobody
 * here opened. Someone flooded the sending host with SYNs forged to carry our addresses, and its answers
 * come to us. A lone RST can be the end of a connection older than the trace, so RSTs count only from a
 * few connections on; a SYN-ACK with no SYN before it is always odd. Known flood tools leave their mark in
 * the acknowledgement number (674711610, 674719802).
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { illegalCombination } from './illegal-flags.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import { type HostKey, destinationText, endpointText, sourceKey, sourceText } from '../address.js';

/** Unsolicited RSTs from one host before they are worth a finding (a single one is usually a late close). */
const MIN_UNSOLICITED_RESETS = 3;
/** Acknowledgement numbers of known SYN-flood tools (ISN + 1), from published backscatter analyses. */
const FLOOD_TOOL_ACKS: ReadonlySet<number> = new Set([674711610, 674719802]);

class Sender {
  synAcks = 0;
  resets = 0;
  group: FindingGroup | null = null;
}

export class BackscatterAnalyzer implements PacketAnalyzer {
  readonly name = 'backscatter';
  private readonly groups: FindingGroups;
  private readonly senders = new Map<HostKey, Sender>();

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    if (p.tcp === null || p.tcpFirstPacket !== true) return;
    const flags = p.tcp.tcp.flags;
    // A segment with SYN and ACK among illegal others (all flags set) is a crafted probe, not an answer.
    if (illegalCombination(flags) !== null) return;
    const synAck = (flags & (TcpFlags.SYN | TcpFlags.ACK)) === (TcpFlags.SYN | TcpFlags.ACK);
    const reset = (flags & (TcpFlags.RST | TcpFlags.SYN)) === TcpFlags.RST;
    const d = datagramOf(p);
    if ((!synAck && !reset) || d === null) return;
    const key = sourceKey(d);
    let sender = this.senders.get(key);
    if (sender === undefined) {
      if (this.senders.size >= this.thresholds.maxTrackedHosts) return;
      sender = new Sender();
      this.senders.set(key, sender);
    }
    if (synAck) sender.synAcks++;
    else sender.resets++;
    if (sender.group === null && (sender.synAcks > 0 || sender.resets >= MIN_UNSOLICITED_RESETS)) {
      sender.group = this.groupFor(sourceText(d));
      // The unsolicited packets counted before this one belong to the finding too.
      sender.group.addEvent(p.packet.timeSec, p.packet.timeNsec, sender.synAcks + sender.resets - 1);
    }
    if (sender.group === null) return;
    const group = sender.group;
    const target = endpointText(destinationText(d), d.destinationPort);
    if (group.hasRoomForEvidence) group.add(p, `${synAck ? 'SYN-ACK' : 'RST'} to ${target}, no connection opened from there`);
    else group.countPacket(p);
    group.listDetail('targets', target);
    group.listDetail('fromPorts', d.sourcePort);
    const ack = p.tcp.tcp.ack;
    if ((flags & TcpFlags.ACK) !== 0 && FLOOD_TOOL_ACKS.has(ack)) group.listDetail('floodToolSignatures', `ack ${ack}`);
    if (group.count >= this.thresholds.backscatterTargets && group.spec.severity === 'note') group.spec = { ...group.spec, severity: 'warning' };
  }

  private groupFor(sender: string): FindingGroup {
    return this.groups.get(sender, () => ({
      rule: 'hostile.backscatter',
      category: 'hostile',
      severity: 'note',
      title: `Unsolicited SYN-ACKs or RSTs from ${sender}`,
      explanation: `${sender} answers connections that nobody here opened: it is being flooded with SYNs forged to carry our addresses, and its replies (backscatter) reach us. We are not the target; the numbers show the flood's size. A RST right at the start of a trace can also end a connection older than the trace.`,
      subject: { host: sender },
    }));
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
