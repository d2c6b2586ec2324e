/**
 * TCP checksum findings, only when asked for (threshold checkChecksums, `zctrace report --check-checksums`).
 * Off by default, as in Wireshark: a trace taken on a host sees the segments it sends before the adapter
 * fills their checksums in (checksum offload: z/OS with OSA-Express, Linux on most NICs and veths), and
 * often sees received ones after the adapter checked them and left the field as it came; a bad checksum in
 * a trace is rarely a damaged segment.
 *
 * When on: a bad checksum on a received segment is an error; on a sent one the mark of offload (a note);
 * when the input does not say the direction (pcap), a sender whose checksums are mostly bad is offloading.
 * The check (RFC 9293 §3.1, RFC 8200 §8.1 for the IPv6 pseudo-header) needs the whole segment captured.
 */
import type { AnalyzedPacket, PacketAnalyzer } from './analyzed-packet.js';
import type { Finding } from './finding.js';
import type { Thresholds } from './thresholds.js';
import type { TcpConnection } from './tcp/tcp-conversation.js';
import type { TcpPacketView } from '../net/packet-view.js';
import { IpProtocol } from '../net/ip-protocols.js';
import { checksumVerifies, onesComplementSum } from '../net/internet-checksum.js';
import { type FindingGroup, FindingEvidence, FindingGroups } from './finding-groups.js';
import { BAD_CHECKSUM_WORDING, CHECKSUM_OFFLOAD_WORDING } from './tcp-expert-rules.js';
import { type HostKey, connectionEndpoint, connectionHost, connectionHostKey } from './address.js';

/** Senders whose checksums are bad on at least this share of segments are offloading, not damaged. */
const OFFLOAD_SHARE = 0.5;

/**
 * True when the segment's checksum is right, false when it is wrong, null when it cannot be checked
 * (the capture does not hold the whole segment).
 */
export function tcpChecksumIsValid(data: Uint8Array, view: TcpPacketView): boolean | null {
  const end = view.tcpOffset + view.tcpLength;
  if (end > data.length || view.tcpLength < 20) return null;
  const addresses = view.sourceAddressAt;
  const pseudoHeader = onesComplementSum(data, addresses, addresses + 2 * view.addressLength) + IpProtocol.TCP + (view.tcpLength & 0xffff) + Math.floor(view.tcpLength / 0x10000);
  return checksumVerifies(data, view.tcpOffset, end, pseudoHeader);
}

/** Checksums of one sender whose segments' direction the input does not tell, judged at the end. */
interface UndirectedSender {
  address: string;
  checked: number;
  bad: FindingEvidence;
}

export class TcpChecksumAnalyzer implements PacketAnalyzer {
  readonly name = 'tcp-checksum';
  private readonly groups: FindingGroups;
  private readonly undirected = new Map<HostKey, UndirectedSender>();

  constructor(private readonly thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const c = p.tcpConnection ?? null;
    if (p.tcp === null || c === null) return;
    const valid = tcpChecksumIsValid(p.packet.data, p.tcp);
    if (valid === null) return;
    const direction = p.packet.direction;
    if (direction === 'unknown') this.noteUndirected(p, c, valid);
    else if (!valid && direction === 'inbound') noteBad(this.badGroup(c), p);
    else if (!valid) this.offloadGroup(connectionHost(c, p.tcpFromA === true)).add(p, 'outbound checksum not filled in');
  }

  private badGroup(c: TcpConnection): FindingGroup {
    return this.groups.get(`tcp.bad_checksum|${c.streamIndex}`, () => {
      const connection = `${connectionEndpoint(c, true)} → ${connectionEndpoint(c, false)}`;
      return { rule: 'tcp.bad_checksum', category: 'tcp', severity: 'error', title: `${BAD_CHECKSUM_WORDING.title}: ${connection}`, explanation: BAD_CHECKSUM_WORDING.explanation, subject: { connection } };
    });
  }

  private offloadGroup(host: string, explanation = CHECKSUM_OFFLOAD_WORDING.explanation): FindingGroup {
    return this.groups.get(`tcp.checksum_offload|${host}`, () => ({
      rule: 'tcp.checksum_offload',
      category: 'tcp',
      severity: 'note',
      title: `${CHECKSUM_OFFLOAD_WORDING.title}: ${host}`,
      explanation,
      subject: { host },
    }));
  }

  /** Without a direction, a sender with mostly bad checksums is the capturing host offloading them. */
  private noteUndirected(p: AnalyzedPacket, c: TcpConnection, valid: boolean): void {
    const fromA = p.tcpFromA === true;
    const key = connectionHostKey(c, fromA);
    let sender = this.undirected.get(key);
    if (sender === undefined) {
      if (this.undirected.size >= this.thresholds.maxTrackedHosts) return;
      sender = { address: connectionHost(c, fromA), checked: 0, bad: new FindingEvidence() };
      this.undirected.set(key, sender);
    }
    sender.checked++;
    if (!valid) noteBad(sender.bad, p);
  }

  /** Each sender's undirected checksum failures, judged now, join the capped findings of their rule. */
  private judgeUndirected(): void {
    for (const sender of this.undirected.values()) {
      if (sender.bad.count === 0) continue;
      const address = sender.address;
      const group =
        sender.bad.count / sender.checked >= OFFLOAD_SHARE
          ? this.offloadGroup(
              address,
              `Most segments sent by ${address} have wrong checksums: the pattern of a capture taken on the sending host before checksum offload fills them in (the input does not say which packets were outbound). Not errors.`,
            )
          : this.groups.get(`tcp.bad_checksum|${address}`, () => ({
              rule: 'tcp.bad_checksum',
              category: 'tcp',
              severity: 'error',
              title: `${BAD_CHECKSUM_WORDING.title}: ${address}`,
              explanation: BAD_CHECKSUM_WORDING.explanation,
              subject: { host: address },
            }));
      group.merge(sender.bad);
      group.sumDetail('segmentsChecked', sender.checked);
    }
  }

  finish(): Finding[] {
    this.judgeUndirected();
    return this.groups.findings();
  }
}

function noteBad(evidence: FindingEvidence, p: AnalyzedPacket): void {
  if (evidence.hasRoomForEvidence) evidence.add(p, `checksum 0x${p.tcp!.tcp.checksum.toString(16).padStart(4, '0')} wrong`);
  else evidence.countPacket(p);
}
