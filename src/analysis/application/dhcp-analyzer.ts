/**
 * DHCP exchanges (spec DHCP-01 .. DHCP-03), followed by transaction ID and client hardware address:
 * DISCOVER → OFFER → REQUEST → ACK completes one. A DECLINE (the offered address is already in use on the
 * network) and a NAK (the server refuses the address asked for) are findings at once; an exchange that
 * stops moving for the timeout is incomplete. State is one record per exchange in progress.
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { PacketRow } from '../../report/report-model.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import { addressAt, hardwareAddressText } from './address-text.js';
import { sourceText } from '../address.js';
import { secondsOf, type ApplicationPacket } from './application-packet.js';
import { dhcpMessageTypeName } from './application-tables.js';
import type { Thresholds } from '../thresholds.js';
import { BootpOp, DhcpMessage, DhcpMessageType, DhcpPort, readDhcpMessage, xidText } from './dhcp-message.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import { LruMap } from './lru-map.js';

/** What an exchange waits for after its last client message (or the server's OFFER). */
const AWAITED: Readonly<Record<number, string>> = {
  [DhcpMessageType.DISCOVER]: 'DISCOVER without OFFER',
  [DhcpMessageType.OFFER]: 'OFFER without REQUEST',
  [DhcpMessageType.REQUEST]: 'REQUEST without ACK or NAK',
  [DhcpMessageType.INFORM]: 'INFORM without ACK',
};

/**
 * RFC 2131 §4.1: a client retransmits with back-off up to 64 s, same transaction ID. An exchange is kept
 * that long after its last message so its retries join it; it is judged (incomplete or not) when it leaves.
 */
const CLIENT_RETRY_HORIZON_SEC = 70;

interface Exchange {
  client: string;
  xid: number;
  /** The last message that moved the exchange (a key of AWAITED). */
  stage: number;
  lastSec: number;
  sends: number;
  evidence: FindingEvidence;
}

class ClientGroup {
  readonly evidence = new FindingEvidence();
  readonly items = new CappedList(15);
  readonly xids = new CappedList(15);
  readonly servers = new CappedList(10);
}

export class DhcpAnalyzer implements PacketAnalyzer {
  readonly name = 'dhcp';
  private readonly message = new DhcpMessage();
  private readonly exchanges: LruMap<string, Exchange>;
  private readonly declines: CappedGroups<ClientGroup>;
  private readonly naks: CappedGroups<ClientGroup>;
  private readonly incomplete: CappedGroups<ClientGroup>;
  private readonly timeoutSec: number;
  private readonly lateRows: LateEvidenceRows;
  private nowSec = 0;

  constructor(
    private readonly app: ApplicationPacket,
    t: Thresholds,
  ) {
    this.timeoutSec = t.dhcpExchangeTimeoutSec;
    this.lateRows = new LateEvidenceRows(t.packetsListedEvidence);
    this.exchanges = new LruMap(t.maxTrackedConnections, (_, e) => this.settle(e));
    this.declines = new CappedGroups(t.maxFindingGroups, () => new ClientGroup());
    this.naks = new CappedGroups(t.maxFindingGroups, () => new ClientGroup());
    this.incomplete = new CappedGroups(t.maxFindingGroups, () => new ClientGroup());
  }

  observe(p: AnalyzedPacket): void {
    this.nowSec = Math.max(this.nowSec, secondsOf(p));
    this.expire();
    const app = this.app.decode(p);
    const udp = app.udp;
    if (udp === null || !isDhcpPort(udp.sourcePort) || !isDhcpPort(udp.destinationPort)) return;
    const m = this.message;
    const data = p.packet.data;
    if (!readDhcpMessage(data, udp.payloadOffset, udp.payloadEnd, m) || m.messageType < 0) return;
    const client = hardwareAddressText(data, m.hardwareAddressAt, m.hardwareLength);
    const key = `${xidText(m.xid)}|${client}`;
    const type = m.messageType;
    const name = dhcpMessageTypeName(type);
    if (m.op === BootpOp.REQUEST && (type === DhcpMessageType.DISCOVER || type === DhcpMessageType.REQUEST || type === DhcpMessageType.INFORM)) {
      this.advance(key, client, m.xid, type, p, `${name} xid ${xidText(m.xid)}`);
    } else if (type === DhcpMessageType.OFFER) {
      const e = this.exchanges.peek(key);
      if (e?.stage === DhcpMessageType.DISCOVER) this.advance(key, client, m.xid, type, p, `OFFER of ${addressAt(data, m.yourAddressAt, 4)}`);
    } else if (type === DhcpMessageType.ACK || type === DhcpMessageType.RELEASE) {
      this.exchanges.delete(key);
    } else if (type === DhcpMessageType.NAK) {
      this.exchanges.delete(key);
      const server = m.serverIdentifierAt >= 0 ? addressAt(data, m.serverIdentifierAt, 4) : sourceText(app.ip!);
      const group = this.naks.get(client);
      group.evidence.add(p, `NAK from ${server} xid ${xidText(m.xid)}`);
      group.servers.add(server);
      group.xids.add(xidText(m.xid));
    } else if (type === DhcpMessageType.DECLINE) {
      this.exchanges.delete(key);
      this.decline(p, client, m, data);
    }
  }

  finish(): Finding[] {
    for (const [, e] of this.exchanges.drain()) this.settle(e);
    return [...this.declineFindings(), ...this.nakFindings(), ...this.incompleteFindings()];
  }

  /** Rows of the packets held as evidence until their findings were known (see evidence-rows.ts). */
  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }

  private advance(key: string, client: string, xid: number, stage: number, p: AnalyzedPacket, note: string): void {
    let e = this.exchanges.get(key);
    if (e === undefined) {
      e = { client, xid, stage, lastSec: 0, sends: 0, evidence: new FindingEvidence() };
      this.exchanges.set(key, e);
    }
    e.sends = e.stage === stage ? e.sends + 1 : 1;
    e.stage = stage;
    e.lastSec = secondsOf(p);
    e.evidence.hold(p, e.sends > 1 ? `${note}, sent again (${e.sends})` : note, this.lateRows);
  }

  private decline(p: AnalyzedPacket, client: string, m: DhcpMessage, data: Uint8Array): void {
    // RFC 2131 §4.4.1: the declined address travels in option 50 (older clients put it in ciaddr).
    const address = addressAt(data, m.requestedAddressAt >= 0 ? m.requestedAddressAt : m.clientAddressAt, 4);
    const group = this.declines.get(client);
    group.evidence.add(p, `DECLINE of ${address} xid ${xidText(m.xid)}`);
    group.items.add(address);
    group.xids.add(xidText(m.xid));
    if (m.serverIdentifierAt >= 0) group.servers.add(addressAt(data, m.serverIdentifierAt, 4));
  }

  private expire(): void {
    for (let oldest = this.exchanges.oldest(); oldest !== null; oldest = this.exchanges.oldest()) {
      if (this.nowSec - oldest.value.lastSec <= Math.max(this.timeoutSec, CLIENT_RETRY_HORIZON_SEC)) return;
      this.exchanges.delete(oldest.key);
      this.settle(oldest.value);
    }
  }

  /** An exchange leaves the table unfinished: incomplete once the timeout has passed. */
  private settle(e: Exchange): void {
    if (this.nowSec - e.lastSec <= this.timeoutSec) return; // the trace ended before the answer was due
    const group = this.incomplete.get(e.client);
    group.evidence.count++;
    group.evidence.absorb(e.evidence);
    group.items.add(AWAITED[e.stage] ?? 'unfinished');
    group.xids.add(xidText(e.xid));
  }

  private *declineFindings(): Iterable<Finding> {
    for (const [key, g] of this.declines.entries()) {
      const client = clientName(key);
      yield g.evidence.toFinding('dhcp.decline', 'application', 'warning', {
        title: `DHCP DECLINE by ${client}: ${g.items.text()} already in use`,
        explanation:
          'The client was given an address, found another host already using it (its ARP probe was answered) and ' +
          'declined it: an address conflict. Look for a host configured statically inside the DHCP pool, or two DHCP ' +
          'servers handing out the same range.',
        subject: { host: client, service: 'dhcp' },
        details: { declines: g.evidence.count, addresses: g.items.values, transactions: g.xids.values, servers: g.servers.values },
      });
    }
  }

  private *nakFindings(): Iterable<Finding> {
    for (const [key, g] of this.naks.entries()) {
      const client = clientName(key);
      yield g.evidence.toFinding('dhcp.nak', 'application', 'warning', {
        title: `DHCP NAK from ${g.servers.text()} to ${client} (${g.evidence.count} ${g.evidence.count === 1 ? 'time' : 'times'})`,
        explanation:
          'The server refused the address the client asked for: the client moved to another subnet, its lease is ' +
          'unknown to this server, or two servers disagree. The client starts over with DISCOVER.',
        subject: { host: client, service: 'dhcp' },
        details: { naks: g.evidence.count, servers: g.servers.values, transactions: g.xids.values },
      });
    }
  }

  private *incompleteFindings(): Iterable<Finding> {
    for (const [key, g] of this.incomplete.entries()) {
      const client = clientName(key);
      yield g.evidence.toFinding('dhcp.incomplete', 'application', 'warning', {
        title: `DHCP exchange of ${client} never completed: ${g.items.text()}`,
        explanation:
          `The exchange stopped for more than ${this.timeoutSec} s before the server's ACK. No OFFER means no server ` +
          'answered (none reachable, or the relay agent is missing or misconfigured); no ACK means the server did not confirm.',
        subject: { host: client, service: 'dhcp' },
        details: { exchanges: g.evidence.count, stoppedAt: g.items.values, transactions: g.xids.values, timeoutSec: this.timeoutSec },
      });
    }
  }
}

function isDhcpPort(port: number): boolean {
  return port === DhcpPort.SERVER || port === DhcpPort.CLIENT;
}

function clientName(key: string): string {
  return key === OTHER_GROUP ? '(other clients)' : key;
}
