/**
 * TLS on any TCP port (spec TLS-01 .. TLS-05): a connection is followed once its client's payload opens
 * with a ClientHello. Findings: alert records by level and description (fatal ones are errors; a warning
 * close_notify, the normal end, and encrypted alerts, which cannot be read, are not reported), handshakes
 * that end or stall without a ServerHello, and protocol versions negotiated below what the client offered
 * or to a deprecated version.
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { Finding, Severity } from '../finding.js';
import type { PacketRow } from '../../report/report-model.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { destinationText, endpointText, sourceText } from '../address.js';
import { secondsOf, tcpPayloadOf, type TcpPayload } from './application-packet.js';
import { isLegacyTlsVersion, tlsAlertDescriptionName, tlsAlertLevelName, tlsVersionName } from './application-tables.js';
import type { Thresholds } from '../thresholds.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import { LruMap } from './lru-map.js';
import { ContentType, HANDSHAKE_HEADER, HandshakeType, TLS_RECORD_HEADER, clientHelloMaxVersion, readRecordHeader, serverHelloVersion } from './tls-records.js';
import { TlsDirection, type TlsRecordListener } from './tls-stream.js';

const AlertLevel = { WARNING: 1, FATAL: 2 } as const;
const CLOSE_NOTIFY = 0;
/** A connection idle this long is forgotten (its handshake, if still open, is judged then). */
const IDLE_FORGET_SEC = 300;

class TlsConnectionState {
  readonly client: TlsDirection;
  readonly server: TlsDirection;
  offeredVersion = -1;
  selectedVersion = -1;
  helloSec = 0;
  lastSec = 0;
  serverHandshakeSeen = false;
  alertSeen = false;
  closed = false;
  /** The client's port and address words, to tell the direction of a segment without allocating. */
  clientPort = 0;
  readonly clientWords = new Uint32Array(4);
  /** The packet being fed, for the listeners. */
  current: AnalyzedPacket | null = null;
  readonly handshakeEvidence = new FindingEvidence();

  constructor(
    readonly clientName: string,
    readonly serverName: string,
    analyzer: TlsAnalyzer,
  ) {
    this.client = new TlsDirection(analyzer.listenerFor(this, false));
    this.server = new TlsDirection(analyzer.listenerFor(this, true));
  }
}

class AlertGroup {
  readonly evidence = new FindingEvidence();
  readonly peers = new CappedList(15);
  server = '';
  level = 0;
  description = -1;
  sentBy = '';
}

class VersionGroup {
  readonly evidence = new FindingEvidence();
  readonly clients = new CappedList(15);
  readonly offered = new CappedList(5);
  readonly selected = new CappedList(5);
  legacy = false;
}

class HandshakeGroup {
  readonly evidence = new FindingEvidence();
  readonly clients = new CappedList(15);
  closed = 0;
}

export class TlsAnalyzer implements PacketAnalyzer {
  readonly name = 'tls';
  private readonly connections: LruMap<TcpConnection, TlsConnectionState>;
  private readonly payload: TcpPayload = { start: 0, end: 0, wireLength: 0 };
  private readonly alerts: CappedGroups<AlertGroup>;
  private readonly downgrades: CappedGroups<VersionGroup>;
  private readonly legacy: CappedGroups<VersionGroup>;
  private readonly incomplete: CappedGroups<HandshakeGroup>;
  private readonly handshakeTimeoutSec: number;
  private readonly lateRows: LateEvidenceRows;
  private nowSec = 0;

  constructor(t: Thresholds) {
    this.handshakeTimeoutSec = t.tlsHandshakeTimeoutSec;
    this.lateRows = new LateEvidenceRows(t.packetsListedEvidence);
    this.connections = new LruMap(t.maxTrackedConnections, (_, c) => this.settle(c));
    this.alerts = new CappedGroups(t.maxFindingGroups, () => new AlertGroup());
    this.downgrades = new CappedGroups(t.maxFindingGroups, () => new VersionGroup());
    this.legacy = new CappedGroups(t.maxFindingGroups, () => new VersionGroup());
    this.incomplete = new CappedGroups(t.maxFindingGroups, () => new HandshakeGroup());
  }

  observe(p: AnalyzedPacket): void {
    this.nowSec = Math.max(this.nowSec, secondsOf(p));
    this.expire();
    const view = p.tcp;
    const key = p.tcpConnection ?? null;
    if (view === null || key === null || !tcpPayloadOf(p, this.payload)) return;
    let c = this.connections.get(key);
    if (c === undefined) {
      if (!opensWithClientHello(p.packet.data, this.payload)) return;
      c = new TlsConnectionState(endpointText(sourceText(view), view.tcp.sourcePort), endpointText(destinationText(view), view.tcp.destinationPort), this);
      c.helloSec = secondsOf(p);
      c.clientPort = view.tcp.sourcePort;
      c.clientWords.set([view.source0, view.source1, view.source2, view.source3]);
      c.handshakeEvidence.hold(p, 'ClientHello', this.lateRows);
      this.connections.set(key, c);
    }
    c.lastSec = secondsOf(p);
    const w = c.clientWords;
    const fromClient = view.tcp.sourcePort === c.clientPort && view.source0 === w[0] && view.source1 === w[1] && view.source2 === w[2] && view.source3 === w[3];
    c.current = p;
    (fromClient ? c.client : c.server).feed(view.tcp.seq, p.packet.data, this.payload.start, this.payload.end, this.payload.wireLength);
    c.current = null;
    if ((view.tcp.flags & (TcpFlags.FIN | TcpFlags.RST)) !== 0) {
      c.closed = true;
      if (!c.serverHandshakeSeen) c.handshakeEvidence.hold(p, (view.tcp.flags & TcpFlags.RST) !== 0 ? 'RST before the ServerHello' : 'FIN before the ServerHello', this.lateRows);
      this.connections.delete(key);
      this.settle(c);
    }
  }

  finish(): Finding[] {
    for (const [, c] of this.connections.drain()) this.settle(c);
    return [...this.alertFindings(), ...this.versionFindings(), ...this.incompleteFindings()];
  }

  /** Rows of the packets held as evidence until their findings were known (see evidence-rows.ts). */
  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }

  /** The record listener of one direction of `c`. */
  listenerFor(c: TlsConnectionState, fromServer: boolean): TlsRecordListener {
    return {
      record: (type) => {
        if (fromServer && type === ContentType.HANDSHAKE) c.serverHandshakeSeen = true;
      },
      alert: (level, description) => this.alert(c, fromServer, level, description),
      encryptedAlert: () => {
        c.alertSeen = true;
      },
      hello: (bytes, length) => this.hello(c, fromServer, bytes, length),
    };
  }

  private alert(c: TlsConnectionState, fromServer: boolean, level: number, description: number): void {
    c.alertSeen = true;
    const p = c.current;
    if (p === null || (level === AlertLevel.WARNING && description === CLOSE_NOTIFY)) return;
    const group = this.alerts.get(`${c.serverName}|${level}|${description}|${fromServer ? 'server' : 'client'}`);
    group.server ||= c.serverName;
    group.level = level;
    group.description = description;
    group.sentBy = fromServer ? 'server' : 'client';
    group.peers.add(c.clientName);
    group.evidence.add(p, `${tlsAlertLevelName(level) ?? `level ${level}`} alert ${tlsAlertDescriptionName(description)} from the ${group.sentBy}`);
  }

  private hello(c: TlsConnectionState, fromServer: boolean, bytes: Uint8Array, length: number): void {
    const type = bytes[0] ?? 0;
    if (!fromServer && type === HandshakeType.CLIENT_HELLO) c.offeredVersion = clientHelloMaxVersion(bytes, HANDSHAKE_HEADER, length);
    if (!fromServer || type !== HandshakeType.SERVER_HELLO) return;
    c.selectedVersion = serverHelloVersion(bytes, HANDSHAKE_HEADER, length);
    const p = c.current;
    if (p === null || c.selectedVersion < 0) return;
    const downgraded = c.offeredVersion > c.selectedVersion;
    const legacy = isLegacyTlsVersion(c.selectedVersion);
    if (!downgraded && !legacy) return;
    const group = (downgraded ? this.downgrades : this.legacy).get(c.serverName);
    group.legacy ||= legacy;
    group.clients.add(c.clientName);
    if (c.offeredVersion >= 0) group.offered.add(tlsVersionName(c.offeredVersion));
    group.selected.add(tlsVersionName(c.selectedVersion));
    group.evidence.absorb(c.handshakeEvidence);
    group.evidence.add(p, `ServerHello selects ${tlsVersionName(c.selectedVersion)}${downgraded ? `, client offered ${tlsVersionName(c.offeredVersion)}` : ''}`);
  }

  private expire(): void {
    for (let oldest = this.connections.oldest(); oldest !== null; oldest = this.connections.oldest()) {
      if (this.nowSec - oldest.value.lastSec <= IDLE_FORGET_SEC) return;
      this.connections.delete(oldest.key);
      this.settle(oldest.value);
    }
  }

  /** A connection is done with: its handshake is incomplete when no server handshake and no alert came. */
  private settle(c: TlsConnectionState): void {
    if (c.serverHandshakeSeen || c.alertSeen) return;
    if (!c.closed && this.nowSec - c.helloSec <= this.handshakeTimeoutSec) return; // the trace ended too soon to tell
    const group = this.incomplete.get(c.serverName);
    group.evidence.count++;
    group.evidence.absorb(c.handshakeEvidence);
    group.clients.add(c.clientName);
    if (c.closed) group.closed++;
  }

  private *alertFindings(): Iterable<Finding> {
    for (const [key, g] of this.alerts.entries()) {
      const other = key === OTHER_GROUP;
      const fatal = g.level === AlertLevel.FATAL;
      const known = g.level === AlertLevel.WARNING || fatal;
      const severity: Severity = fatal ? 'error' : 'note';
      const levelName = tlsAlertLevelName(g.level) ?? `level ${g.level}`;
      const description = tlsAlertDescriptionName(g.description);
      const count = g.evidence.count;
      yield g.evidence.toFinding('tls.alert', 'application', other ? 'error' : severity, {
        title: other ? `TLS alerts on other servers (${count})` : `TLS ${levelName} alert ${description} sent by the ${g.sentBy} of ${g.server} (${count} ${count === 1 ? 'time' : 'times'})`,
        explanation:
          (fatal
            ? 'A fatal alert ends the connection: the handshake or the session failed. '
            : known
              ? 'A warning alert: the connection may go on, but something was not as the sender wanted. '
              : 'An alert with an unknown level. ') +
          alertAdvice(g.description),
        subject: { host: g.server, service: 'tls' },
        details: { level: levelName, description, descriptionCode: g.description, sentBy: g.sentBy, alerts: count, peers: g.peers.values },
      });
    }
  }

  private *versionFindings(): Iterable<Finding> {
    for (const [key, g] of this.downgrades.entries()) {
      const server = key === OTHER_GROUP ? '(other servers)' : key;
      yield g.evidence.toFinding('tls.version_negotiated_down', 'application', g.legacy ? 'warning' : 'note', {
        title: `TLS negotiated down by ${server}: client offered ${g.offered.text()}, server chose ${g.selected.text()}`,
        explanation:
          'The server selected a lower protocol version than the client offered. ' +
          (g.legacy
            ? 'The version chosen is deprecated (RFC 8996): enable TLS 1.2 or 1.3 on the server (on z/OS, the AT-TLS policy TTLSEnvironmentAdvancedParms / System SSL settings).'
            : 'Both are current versions; the server does not support the newer one yet.'),
        subject: { host: server, service: 'tls' },
        details: { offered: g.offered.values, selected: g.selected.values, handshakes: g.evidence.count, clients: g.clients.values },
      });
    }
    for (const [key, g] of this.legacy.entries()) {
      const server = key === OTHER_GROUP ? '(other servers)' : key;
      yield g.evidence.toFinding('tls.legacy_version', 'application', 'warning', {
        title: `Deprecated TLS version ${g.selected.text()} in use with ${server}`,
        explanation:
          'The client offered nothing newer and the server agreed to a protocol version that RFC 8996 deprecates ' +
          '(SSL 3.0, TLS 1.0, TLS 1.1): update the client, and disable these versions on the server.',
        subject: { host: server, service: 'tls' },
        details: { selected: g.selected.values, handshakes: g.evidence.count, clients: g.clients.values },
      });
    }
  }

  private *incompleteFindings(): Iterable<Finding> {
    for (const [key, g] of this.incomplete.entries()) {
      const server = key === OTHER_GROUP ? '(other servers)' : key;
      const count = g.evidence.count;
      yield g.evidence.toFinding('tls.handshake_incomplete', 'application', 'warning', {
        title: `TLS handshake with ${server} never answered: ${count} ClientHello without ServerHello`,
        explanation:
          `The client opened TLS but the server sent no ServerHello${g.closed > 0 ? ' before the connection closed' : ` within ${this.handshakeTimeoutSec} s`}, ` +
          'and no alert said why: the server does not speak TLS on this port, rejects the client\'s versions or ciphers ' +
          'without an alert, or something in between drops the hello.',
        subject: { host: server, service: 'tls' },
        details: { handshakes: count, closedBeforeServerHello: g.closed, clients: g.clients.values },
      });
    }
  }
}

/** What an alert usually means, in a sentence. */
function alertAdvice(description: number): string {
  const name = tlsAlertDescriptionName(description);
  if (['handshake_failure', 'insufficient_security', 'protocol_version', 'inappropriate_fallback'].includes(name)) {
    return 'The two sides share no protocol version or cipher suite they both accept: compare the client\'s offer with the server\'s configuration.';
  }
  if (['bad_certificate', 'unsupported_certificate', 'certificate_revoked', 'certificate_expired', 'certificate_unknown', 'unknown_ca', 'certificate_required'].includes(name)) {
    return 'The peer rejected a certificate: check its validity dates, its chain and that the sender\'s key ring (RACF or gskkyman) holds the issuing CA.';
  }
  if (['bad_record_mac', 'decryption_failed', 'decrypt_error', 'decode_error', 'unexpected_message'].includes(name)) {
    return 'A record could not be read as expected: damage on the way, a middlebox altering traffic, or an implementation fault.';
  }
  return `Description: ${name}.`;
}

/** True when the payload begins with a handshake record holding a ClientHello. */
function opensWithClientHello(data: Uint8Array, payload: TcpPayload): boolean {
  const record = readRecordHeader(data, payload.start, payload.end);
  const typeAt = payload.start + TLS_RECORD_HEADER;
  return record !== null && record.type === ContentType.HANDSHAKE && typeAt < payload.end && data[typeAt] === HandshakeType.CLIENT_HELLO;
}
