/**
 * TCP segments whose flag combination no working stack sends (exception-catalog SCAN-05..08): SYN+FIN,
 * SYN+RST, RST+FIN, FIN or PSH/URG without ACK, no flags at all (NULL) and FIN+PSH+URG (XMAS). They are
 * crafted: scans, OS fingerprinting or a covert channel. One finding per source and combination; the
 * RSTs that answer a probe (a closed port's, RFC 9293) belong to it as evidence, not as resets of their own.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { destinationText, endpointText, sourceText } from '../address.js';

const { FIN, SYN, RST, PSH, ACK, URG } = TcpFlags;
const XMAS = FIN | PSH | URG;

export interface IllegalCombination {
  name: string;
  /** What the combination is usually used for. */
  meaning: string;
}

/** The illegal combination in `flags`, or null for a combination a stack may send. Checked in this order. */
export function illegalCombination(flags: number): IllegalCombination | null {
  const f = flags & (FIN | SYN | RST | PSH | ACK | URG);
  if (f === 0) return { name: 'NULL (no flags)', meaning: 'a NULL scan or a covert channel' };
  if ((f & XMAS) === XMAS) return { name: 'XMAS (FIN+PSH+URG)', meaning: 'an Xmas scan or OS fingerprinting' };
  if ((f & (SYN | FIN)) === (SYN | FIN)) return { name: 'SYN+FIN', meaning: 'a scan that slips past filters checking only SYN, or OS fingerprinting' };
  if ((f & (SYN | RST)) === (SYN | RST)) return { name: 'SYN+RST', meaning: 'crafted probing' };
  if ((f & (RST | FIN)) === (RST | FIN)) return { name: 'RST+FIN', meaning: 'crafted probing' };
  if ((f & (FIN | ACK)) === FIN) return { name: 'FIN without ACK', meaning: 'a FIN scan (closed ports answer with RST, open ones stay silent)' };
  if ((f & (PSH | URG)) !== 0 && (f & (ACK | SYN | RST)) === 0) return { name: 'PSH/URG without ACK', meaning: 'crafted probing' };
  return null;
}

/** A connection that carried a probe: its finding, and which side sent the probe. */
interface ProbedConnection {
  group: FindingGroup;
  probeFromA: boolean;
}

export class IllegalFlagsAnalyzer implements PacketAnalyzer {
  readonly name = 'illegal-tcp-flags';
  private readonly groups: FindingGroups;
  private readonly probed = new WeakMap<TcpConnection, ProbedConnection>();

  constructor(thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    if (p.tcp === null) return;
    const combination = illegalCombination(p.tcp.tcp.flags);
    const d = datagramOf(p);
    if (d === null) return;
    if (combination === null) {
      this.noteAnswer(p, d);
      return;
    }
    const source = sourceText(d);
    const group = this.groups.get(`${combination.name}|${source}`, () => ({
      rule: 'hostile.illegal_tcp_flags',
      category: 'hostile',
      severity: 'error',
      title: `Illegal TCP flags ${combination.name} from ${source}`,
      explanation: `Segments with the flag combination ${combination.name}, which no working TCP stack sends: the packets are crafted, typically ${combination.meaning}.`,
      subject: { host: source },
    }));
    const target = endpointText(destinationText(d), d.destinationPort);
    if (group.hasRoomForEvidence) group.add(p, `${combination.name} to ${target}`);
    else group.countPacket(p);
    group.listDetail('targets', target);
    group.details['combination'] = combination.name;
    if (p.tcpConnection != null) this.probed.set(p.tcpConnection, { group, probeFromA: p.tcpFromA === true });
  }

  /** A RST from the probed side of a connection that carried a probe is the target's answer to it. */
  private noteAnswer(p: AnalyzedPacket, d: NonNullable<ReturnType<typeof datagramOf>>): void {
    if ((p.tcp!.tcp.flags & RST) === 0 || p.tcpConnection == null) return;
    const probed = this.probed.get(p.tcpConnection);
    if (probed === undefined || probed.probeFromA === (p.tcpFromA === true)) return;
    const answerer = endpointText(sourceText(d), d.sourcePort);
    probed.group.addContext(p, `answered with RST by ${answerer}`);
    probed.group.listDetail('answeredWithReset', answerer);
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
