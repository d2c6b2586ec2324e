/**
 * FTP data connections against what the control channel announced (spec exception-catalog FTP-01, FTP-02):
 *  - active mode: PORT/EPRT names the client's address and port, the server (normally from port 20) must
 *    open a connection to it: no SYN within the wait is "data connection never opened";
 *  - passive mode: 227 (PASV) or 229 (EPSV) names the server's port, the client connects to it: SYNs
 *    repeated with no SYN-ACK is "data connection never answered" (a firewall or a dead listener);
 *  - a data connection refused or ended by RST.
 * An announcement is kept until its connection is answered, or for a while after its last SYN (TCP gives
 * up connecting after about two minutes), so memory follows the transfers in flight.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { destinationText, sourceText } from '../address.js';
import { secondsOf } from './application-packet.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import { parseEprtArgument, parseEpsvPort, parseHostPort, type FtpCommand, type HostPort } from './ftp-control-parser.js';
import type { FtpControlListener, FtpSession } from './ftp-control-tracker.js';
import type { LateEvidenceRows } from '../evidence-rows.js';
import { LruMap } from './lru-map.js';
import { FtpAnnouncedAddresses } from './ftp-announced-addresses.js';

/** Linux gives up a connect() after 6 SYN retries, about 127 s: an announcement idle longer is over. */
const CONNECT_GIVE_UP_SEC = 130;
const ReplyCode = { PASSIVE: 227, EXTENDED_PASSIVE: 229 } as const;

export interface FtpDataChannelLimits {
  waitSec: number;
  synAttempts: number;
  maxTracked: number;
  maxFindingGroups: number;
  lateRows: LateEvidenceRows;
}

type Mode = 'active' | 'passive';

/** One announced data port, waiting for its connection. */
interface Announcement {
  mode: Mode;
  control: string;
  /** The side that listens (the client in active mode) and the side expected to connect. */
  listener: string;
  port: number;
  connector: string;
  announcedSec: number;
  /** Active mode: the PORT command waits for its reply; a negative reply cancels it. */
  confirmed: boolean;
  firstSynSec: number | null;
  lastActivitySec: number;
  syns: number;
  answered: boolean;
  evidence: FindingEvidence;
}

/** A data connection opened toward an announcement, kept to see how it ends. */
interface DataLink {
  announcement: Announcement;
  listenerFin: boolean;
  connectorFin: boolean;
}

class ChannelGroup {
  mode: Mode = 'passive';
  connector = '';
  listener = '';
  readonly evidence = new FindingEvidence();
  readonly ports = new CappedList();
  readonly controls = new CappedList(10);
  announcements = 0;
  syns = 0;
  lateSyns = 0;
  refused = 0;
}

/** A group's first announcement names it (the "other" group says so when reported). */
function describeGroup(group: ChannelGroup, a: Announcement): void {
  if (group.connector !== '') return;
  group.mode = a.mode;
  group.connector = a.connector;
  group.listener = a.listener;
}

/** The connector and listener a finding names. */
function parties(key: string, g: ChannelGroup): [string, string] {
  return key === OTHER_GROUP ? ['(others)', '(others)'] : [g.connector, g.listener];
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

export class FtpDataChannel implements FtpControlListener {
  private readonly announcements: LruMap<string, Announcement>;
  private readonly links: LruMap<TcpConnection, DataLink>;
  /** PORT/EPRT commands waiting for their reply, by control session. */
  private readonly pendingPort = new Map<FtpSession, Announcement>();
  private readonly neverOpened: CappedGroups<ChannelGroup>;
  private readonly unanswered: CappedGroups<ChannelGroup>;
  private readonly resets: CappedGroups<ChannelGroup>;
  /** Announcements naming another host than the control connection's (NAT, FTP bounce). */
  private readonly announcedAddresses: FtpAnnouncedAddresses;
  private nowSec = 0;

  constructor(private readonly limits: FtpDataChannelLimits) {
    this.announcements = new LruMap(limits.maxTracked, (_, a) => this.settle(a));
    this.links = new LruMap(limits.maxTracked);
    this.neverOpened = new CappedGroups(limits.maxFindingGroups, () => new ChannelGroup());
    this.unanswered = new CappedGroups(limits.maxFindingGroups, () => new ChannelGroup());
    this.resets = new CappedGroups(limits.maxFindingGroups, () => new ChannelGroup());
    this.announcedAddresses = new FtpAnnouncedAddresses(limits.maxFindingGroups);
  }

  command(session: FtpSession, command: FtpCommand, p: AnalyzedPacket): void {
    let target: HostPort | null = null;
    if (command.verb === 'PORT') target = parseHostPort(command.argument);
    else if (command.verb === 'EPRT') target = parseEprtArgument(command.argument);
    if (target === null) return;
    this.announcedAddresses.check('client', session, target, p);
    const a = this.announce('active', session, target, session.server, p, `${command.verb} ${target.address} port ${target.port}`);
    a.confirmed = false;
    this.pendingPort.set(session, a);
  }

  reply(session: FtpSession, code: number, text: string, complete: boolean, p: AnalyzedPacket): void {
    const pending = this.pendingPort.get(session);
    if (pending !== undefined && code >= 200) {
      this.pendingPort.delete(session);
      if (code >= 400) this.forget(pending);
      else {
        pending.confirmed = true;
        pending.evidence.hold(p, `reply ${code} to the data port announcement`, this.limits.lateRows);
      }
    }
    if (!complete) return; // a cut line may hold a wrong port
    if (code === ReplyCode.PASSIVE) {
      const target = parseHostPort(text);
      if (target !== null) {
        this.announcedAddresses.check('server', session, target, p);
        this.announce('passive', session, target, session.client, p, `227 ${target.address} port ${target.port}`);
      }
    } else if (code === ReplyCode.EXTENDED_PASSIVE) {
      const port = parseEpsvPort(text);
      if (port !== null) this.announce('passive', session, { address: session.server, port }, session.client, p, `229 port ${port}`);
    }
  }

  sessionEnd(session: FtpSession): void {
    this.pendingPort.delete(session);
  }

  /** Every TCP packet: SYN, SYN-ACK, RST and FIN are matched against the announcements. */
  observe(p: AnalyzedPacket): void {
    this.nowSec = Math.max(this.nowSec, secondsOf(p));
    this.expire();
    const view = p.tcp;
    const connection = p.tcpConnection ?? null;
    if (view === null || connection === null) return;
    const flags = view.tcp.flags;
    if ((flags & (TcpFlags.SYN | TcpFlags.RST | TcpFlags.FIN)) === 0) return;
    if ((flags & TcpFlags.SYN) !== 0 && (flags & TcpFlags.ACK) === 0) this.syn(p, connection);
    else {
      const link = this.links.peek(connection);
      if (link !== undefined) this.linkPacket(p, connection, link);
    }
  }

  finish(): Finding[] {
    for (const [, a] of this.announcements.drain()) this.settle(a);
    return [...this.neverOpenedFindings(), ...this.unansweredFindings(), ...this.resetFindings(), ...this.announcedAddresses.findings()];
  }

  private announce(mode: Mode, session: FtpSession, target: HostPort, connector: string, p: AnalyzedPacket, note: string): Announcement {
    const key = `${target.address}|${target.port}`;
    const earlier = this.announcements.peek(key);
    if (earlier !== undefined) {
      this.announcements.delete(key);
      this.settle(earlier);
    }
    const evidence = new FindingEvidence();
    evidence.hold(p, note, this.limits.lateRows);
    const a: Announcement = {
      mode,
      control: session.label,
      listener: target.address,
      port: target.port,
      connector,
      announcedSec: secondsOf(p),
      confirmed: true,
      firstSynSec: null,
      lastActivitySec: secondsOf(p),
      syns: 0,
      answered: false,
      evidence,
    };
    this.announcements.set(key, a);
    return a;
  }

  private syn(p: AnalyzedPacket, connection: TcpConnection): void {
    const view = p.tcp!;
    const key = `${destinationText(view)}|${view.tcp.destinationPort}`;
    const a = this.announcements.get(key);
    if (a === undefined || a.answered) return;
    const sec = secondsOf(p);
    a.syns++;
    a.firstSynSec ??= sec;
    a.lastActivitySec = sec;
    a.evidence.hold(p, a.syns === 1 ? 'SYN to the announced data port' : `SYN to the announced data port, try ${a.syns}`, this.limits.lateRows);
    this.links.set(connection, { announcement: a, listenerFin: false, connectorFin: false });
  }

  private linkPacket(p: AnalyzedPacket, connection: TcpConnection, link: DataLink): void {
    const view = p.tcp!;
    const flags = view.tcp.flags;
    const a = link.announcement;
    const fromListener = view.tcp.sourcePort === a.port && sourceText(view) === a.listener;
    if ((flags & TcpFlags.RST) !== 0) {
      const refused = !a.answered && fromListener;
      a.answered = true; // a RST is an answer: the SYN was not lost
      this.links.delete(connection);
      this.recordReset(a, p, refused);
      return;
    }
    if ((flags & TcpFlags.SYN) !== 0 && fromListener) {
      a.answered = true;
      this.forget(a);
    }
    if ((flags & TcpFlags.FIN) !== 0) {
      if (fromListener) link.listenerFin = true;
      else link.connectorFin = true;
      if (link.listenerFin && link.connectorFin) this.links.delete(connection);
    }
  }

  /** Settles the announcements whose outcome is known by now (oldest activity first). */
  private expire(): void {
    for (let oldest = this.announcements.oldest(); oldest !== null; oldest = this.announcements.oldest()) {
      const { key, value: a } = oldest;
      const waitingForFirstSyn = a.mode === 'active' && a.syns === 0;
      const deadline = waitingForFirstSyn ? a.announcedSec + this.limits.waitSec : a.lastActivitySec + CONNECT_GIVE_UP_SEC;
      if (this.nowSec <= deadline) return;
      this.announcements.delete(key);
      this.settle(a);
    }
  }

  private forget(a: Announcement): void {
    const key = `${a.listener}|${a.port}`;
    if (this.announcements.peek(key) === a) this.announcements.delete(key);
  }

  /** An announcement leaves the table: a finding when its connection never came or never got an answer. */
  private settle(a: Announcement): void {
    if (a.answered || !a.confirmed) return;
    const late = a.firstSynSec !== null && a.firstSynSec - a.announcedSec > this.limits.waitSec;
    const waitedLongEnough = this.nowSec - a.announcedSec > this.limits.waitSec;
    if (a.mode === 'active' && (a.firstSynSec === null || late) && waitedLongEnough) {
      const group = this.neverOpened.get(`${a.connector}|${a.listener}`);
      this.addToGroup(group, a, 1);
      if (late) group.lateSyns++;
    }
    if (a.syns >= this.limits.synAttempts) this.addToGroup(this.unanswered.get(`${a.mode}|${a.connector}|${a.listener}`), a, a.syns);
  }

  /** Adds an announcement to a finding; `count` is what the finding counts (announcements or SYNs). */
  private addToGroup(group: ChannelGroup, a: Announcement, count: number): void {
    describeGroup(group, a);
    group.announcements++;
    group.syns += a.syns;
    group.evidence.count += count;
    group.evidence.absorb(a.evidence);
    group.ports.add(String(a.port));
    group.controls.add(a.control);
  }

  private recordReset(a: Announcement, p: AnalyzedPacket, refused: boolean): void {
    const group = this.resets.get(`${a.connector}|${a.listener}`);
    describeGroup(group, a);
    group.announcements++;
    if (refused) group.refused++;
    group.evidence.add(p, refused ? 'RST: the data connection was refused' : 'RST on the data connection');
    group.evidence.absorb(a.evidence);
    group.ports.add(String(a.port));
    group.controls.add(a.control);
  }

  private *neverOpenedFindings(): Iterable<Finding> {
    for (const [key, g] of this.neverOpened.entries()) {
      const [server, client] = parties(key, g);
      const ports = g.ports.text();
      yield g.evidence.toFinding('ftp.port_no_data_connection', 'application', 'error', {
        title: `Active FTP data connection never opened: ${server} did not connect to ${client} port ${ports}`,
        explanation:
          `The client announced a data port with PORT/EPRT and the server accepted it, but no SYN from the server to that port ` +
          `appeared within ${this.limits.waitSec} s${g.lateSyns > 0 ? ' (one came later)' : ''}. The data connection was never opened: ` +
          'check firewalls between server and client (active FTP needs inbound connections to the client), and on z/OS the ' +
          'FTP.DATA PORTCHECK/PASSIVEONLY settings and the TCPIP profile PORT reservations for port 20.',
        subject: { host: server, connection: g.controls.values[0] ?? client, service: 'ftp-data' },
        details: {
          announcements: g.announcements,
          dataPorts: g.ports.values,
          controlConnections: g.controls.values,
          waitSec: this.limits.waitSec,
          lateSyns: g.lateSyns,
        },
      });
    }
  }

  private *unansweredFindings(): Iterable<Finding> {
    for (const [key, g] of this.unanswered.entries()) {
      const [connector, listener] = parties(key, g);
      const mode = g.mode;
      const kind = mode === 'active' ? 'Active' : 'Passive';
      yield g.evidence.toFinding('ftp.data_syn_unanswered', 'application', 'error', {
        title: `${kind} FTP data connection never answered: ${g.syns} SYNs from ${connector} to ${listener} port ${g.ports.text()}`,
        explanation:
          `The control connection announced the data port (${mode === 'active' ? 'PORT/EPRT' : 'PASV 227 / EPSV 229'}) and ` +
          `${connector} tried to connect to it, repeating its SYN with back-off, but no SYN-ACK or RST came back. ` +
          'The SYNs are lost or dropped on the way (often a firewall that does not open FTP data ports) or nothing listens there.',
        subject: { host: listener, connection: g.controls.values[0] ?? `${connector} → ${listener}`, service: 'ftp-data' },
        details: { mode, syns: g.syns, announcements: g.announcements, dataPorts: g.ports.values, controlConnections: g.controls.values },
      });
    }
  }

  private *resetFindings(): Iterable<Finding> {
    for (const [key, g] of this.resets.entries()) {
      const [connector, listener] = parties(key, g);
      const what = g.refused === g.announcements ? 'refused' : 'reset';
      yield g.evidence.toFinding('ftp.data_connection_reset', 'application', 'warning', {
        title: `FTP data connection ${what} between ${connector} and ${listener} port ${g.ports.text()} (${g.announcements} ${plural(g.announcements, 'time', 'times')})`,
        explanation:
          'A data connection that the control connection announced ended with RST' +
          (g.refused > 0 ? ', or its SYN was answered by RST (nothing listening on the announced port)' : '') +
          '. The transfer on it failed or was aborted; the control connection usually shows a 426 or 425 reply.',
        subject: { host: listener, connection: g.controls.values[0] ?? `${connector} → ${listener}`, service: 'ftp-data' },
        details: { resets: g.announcements, refused: g.refused, dataPorts: g.ports.values, controlConnections: g.controls.values },
      });
    }
  }
}
