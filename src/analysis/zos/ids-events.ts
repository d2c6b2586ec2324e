/**
 * z/OS intrusion detection events (analysis.md §4, exception-catalog Z-04..07): the SYSTCPIS records,
 * each the offending packet of an IDS event with its probe ID, correlator and policy rule. All records
 * with the same correlator are one event (the console's EZZ8763I names it), so the finding is per
 * correlator: the probes seen, the rule, the source, the ports. Severity follows the probe: attacks and
 * very suspicious scans are errors, possibly suspicious scans and traffic regulation warnings, normal
 * scan packets notes.
 *
 * The facts are read from the packet's CTRACE extras as the IDS decoder writes them (ids = probe ID in
 * hex, correlator, rule, action, job, type, level, attack), defensively: any may be missing.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import { type Finding, type Severity, severityRank } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { type FindingGroup, FindingGroups } from '../finding-groups.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { TcpFlags, TcpHeader, readTcpHeader } from '../../net/tcp-header.js';
import { destinationText, endpointText, sourceText } from '../address.js';
import { describeProbe } from '../../ctrace/ids-probes.js';

const EVENT_TYPE = { TCP_TR: 0x01, UDP_TR: 0x02, SCAN: 0x03, ATTACK: 0x04 } as const;
const SCAN_LEVEL = { EVENT_REPORT: 0x00, VERY_SUSPICIOUS: 0x01, POSSIBLY_SUSPICIOUS: 0x02, NORMAL: 0x03 } as const;

/** Severity of one probe (exception-catalog Z-04): by event type, then suspicion level. */
export function probeSeverity(probeId: number): Severity {
  const type = probeId >>> 24;
  const detail = (probeId >>> 16) & 0xff;
  if (type === EVENT_TYPE.ATTACK) return 'error';
  if (type === EVENT_TYPE.SCAN) {
    if (detail === SCAN_LEVEL.VERY_SUSPICIOUS) return 'error';
    if (detail === SCAN_LEVEL.NORMAL) return 'note';
    return 'warning';
  }
  return 'warning';
}

const EVENT_WORDS: Readonly<Record<number, string>> = {
  [EVENT_TYPE.TCP_TR]: 'TCP traffic regulation',
  [EVENT_TYPE.UDP_TR]: 'UDP traffic regulation',
  [EVENT_TYPE.SCAN]: 'scan',
  [EVENT_TYPE.ATTACK]: 'attack',
};

function text(value: string | number | undefined): string | null {
  if (value === undefined) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
}

/** The probe ID: the format ID of a SYSTCPIS record, else the `ids` extra in hex. */
function probeIdOf(p: AnalyzedPacket): number | null {
  const meta = p.packet.ctrace;
  if (meta === null) return null;
  if (meta.component === 'SYSTCPIS') return meta.formatId >>> 0;
  const hex = text(meta.extra['ids']);
  if (hex === null || !/^[0-9a-f]{1,8}$/i.test(hex)) return null;
  return parseInt(hex, 16) >>> 0;
}

/**
 * The SYNs of one event, for the mark of a scanning tool (exception-catalog TCP-15): one initial sequence
 * number on every SYN, whatever the port, is a packet-crafting tool, not a stack (which picks a new ISN
 * per connection); nmap's SYN scan also sends them all with window 1024.
 */
interface EventSyns {
  count: number;
  /** The ISN (window) all SYNs shared so far; -1 once two differ. */
  isn: number;
  window: number;
}

/** TCP-15: at least this many SYNs with one ISN. */
const FIXED_ISN_MIN_SYNS = 3;
/** The window nmap's SYN scan sends. */
const NMAP_SYN_WINDOW = 1024;

export class IdsEventAnalyzer implements PacketAnalyzer {
  readonly name = 'ids-events';
  private readonly groups: FindingGroups;
  private readonly syns = new Map<FindingGroup, EventSyns>();
  private readonly header = new TcpHeader();

  constructor(thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const probeId = probeIdOf(p);
    if (probeId === null) return;
    const extra = p.packet.ctrace!.extra;
    const probe = describeProbe(probeId);
    const correlator = text(extra['correlator']);
    const d = datagramOf(p);
    const source = d === null ? 'unknown source' : sourceText(d);
    const event = EVENT_WORDS[probeId >>> 24] ?? 'event';
    // Records without a correlator are grouped by probe and source instead.
    const key = correlator === null ? `${p.input}|probe ${probe.hex}|${source}` : `${p.input}|${correlator}`;
    const severity = probeSeverity(probeId);
    const group = this.groups.get(key, () => ({
      rule: `zos.ids_${(EVENT_WORDS[probeId >>> 24] ?? 'event').replace(/ /g, '_').toLowerCase()}`,
      category: 'zos',
      severity,
      title: `IDS ${event} event${correlator === null ? '' : ` (correlator ${correlator})`} from ${source}: ${probe.description}`,
      explanation: `The z/OS intrusion detection services (IDS) policy recognised ${event === 'attack' ? 'an attack' : `a ${event} event`} and traced the offending packets. All records with one correlator belong to one event; the console message EZZ8763I names the same correlator and probe ID. Policy rule and action say what the stack did about it.`,
      subject: { host: source },
    }));
    // An event is as bad as its worst probe.
    if (severityRank(severity) < severityRank(group.spec.severity)) group.spec = { ...group.spec, severity };
    if (group.hasRoomForEvidence) group.add(p, `probe ${probe.hex}: ${probe.description}`);
    else group.countPacket(p);
    group.listDetail('probes', `${probe.hex} ${probe.description}`);
    if (correlator !== null) group.details['correlator'] = correlator;
    for (const [key, label] of [['rule', 'rules'], ['action', 'actions'], ['job', 'jobs']] as const) {
      const value = text(extra[key]);
      if (value !== null) group.listDetail(label, value);
    }
    if (d !== null) {
      group.listDetail('sources', endpointText(source, d.sourcePort));
      group.listDetail('destinations', destinationText(d));
      if (d.destinationPort >= 0) group.listDetail('destinationPorts', d.destinationPort);
      // IDS records do not reach the TCP analysis: the SYN's header is read here.
      if (d.protocol === IpProtocol.TCP && d.transportOffset >= 0 && readTcpHeader(p.packet.data, d.transportOffset, d.payloadEnd, this.header)) this.noteSyn(group);
    }
  }

  private noteSyn(group: FindingGroup): void {
    if ((this.header.flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST | TcpFlags.FIN)) !== TcpFlags.SYN) return;
    const { seq, window } = this.header;
    const syns = this.syns.get(group);
    if (syns === undefined) {
      this.syns.set(group, { count: 1, isn: seq, window });
      return;
    }
    syns.count++;
    if (syns.isn !== seq) syns.isn = -1;
    if (syns.window !== window) syns.window = -1;
  }

  finish(): Finding[] {
    for (const [group, syns] of this.syns) {
      if (syns.isn < 0 || syns.count < FIXED_ISN_MIN_SYNS) continue;
      group.details['fixedIsn'] = syns.isn;
      if (syns.window >= 0) group.details['synWindow'] = syns.window;
      const window = syns.window === NMAP_SYN_WINDOW ? ` and window ${NMAP_SYN_WINDOW}, as nmap's SYN scan sends them` : syns.window >= 0 ? ` and window ${syns.window}` : '';
      group.details['scanningTool'] = `all ${syns.count} SYNs carry the initial sequence number ${syns.isn}${window}: a packet-crafting scanner, not a TCP stack, which picks a new ISN for every connection`;
    }
    return this.groups.findings();
  }
}
