/**
 * Follows FTP control connections (TCP port 21): rebuilds the command and reply lines of each direction
 * across segments, joins multi-line replies, and keeps the session facts the FTP detectors share (users
 * tried, failed and successful logins, start and end). Commands, replies and session ends go to the
 * listeners; a session's state is one small object, dropped when the connection closes.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { TcpConnection } from '../tcp/tcp-conversation.js';
import { TcpFlags } from '../../net/tcp-header.js';
import { destinationText, endpointText, sourceText } from '../address.js';
import { secondsOf, tcpPayloadOf, type TcpPayload } from './application-packet.js';
import { FindingEvidence } from '../finding-groups.js';
import { FTP_CONTROL_PORT, parseFtpCommand, parseReplyLine, type FtpCommand } from './ftp-control-parser.js';
import { LineAssembler } from './stream-lines.js';
import type { LateEvidenceRows } from '../evidence-rows.js';
import { LruMap } from './lru-map.js';

/** Commands that carry or complete a login: a 530 after one of them is a failed login. */
const LOGIN_COMMANDS: ReadonlySet<string> = new Set(['USER', 'PASS', 'ACCT']);
/** 234: the server accepts AUTH TLS (RFC 4217); what follows on the connection is TLS, not text. */
const ReplyCode = { LOGGED_IN: 230, SECURITY_ACCEPTED: 234, NOT_LOGGED_IN: 530 } as const;
/** User names kept per session (a brute-force tool may try many in one session). */
const USERS_PER_SESSION = 10;
/** A user name longer than this is shown cut (it is evidence, not data). */
const MAX_USER_NAME = 64;

export interface FtpSession {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** "client:port → server:21". */
  label: string;
  startSec: number;
  lastSec: number;
  packets: number;
  /** User names from USER commands, in order, at most USERS_PER_SESSION. */
  users: string[];
  failedLogins: number;
  loggedIn: boolean;
  /** The last command and user name, to read the next reply by. */
  lastCommand: string | null;
  lastUser: string | null;
  /** The session's first packet and its failed-login replies. */
  evidence: FindingEvidence;
}

export interface FtpControlListener {
  command?(session: FtpSession, command: FtpCommand, p: AnalyzedPacket): void;
  /** A whole reply: its code and the text of its first line; `p` carries its last line. */
  reply?(session: FtpSession, code: number, text: string, complete: boolean, p: AnalyzedPacket): void;
  sessionEnd?(session: FtpSession): void;
}

/** Per-connection state: the session plus the parsing state behind it. */
class ControlConnection {
  readonly clientLines: LineAssembler;
  readonly serverLines: LineAssembler;
  /** Code of a multi-line reply in progress, its first line's text, and whether all its lines were whole. */
  replyCode: number | null = null;
  replyText = '';
  replyComplete = true;
  clientFin = false;
  serverFin = false;
  /** After AUTH TLS is accepted the lines are encrypted: only the close is followed. */
  encrypted = false;

  constructor(
    readonly session: FtpSession,
    onClientLine: (line: string, complete: boolean) => void,
    onServerLine: (line: string, complete: boolean) => void,
  ) {
    this.clientLines = new LineAssembler(onClientLine);
    this.serverLines = new LineAssembler(onServerLine);
  }
}

export function isFtpControl(p: AnalyzedPacket): boolean {
  const tcp = p.tcp?.tcp;
  return tcp !== undefined && (tcp.destinationPort === FTP_CONTROL_PORT || tcp.sourcePort === FTP_CONTROL_PORT);
}

export class FtpControlTracker {
  private readonly connections: LruMap<TcpConnection, ControlConnection>;
  private readonly payload: TcpPayload = { start: 0, end: 0, wireLength: 0 };
  /** The packet being fed, for the line handlers. */
  private current: AnalyzedPacket | null = null;

  constructor(
    maxSessions: number,
    private readonly listeners: readonly FtpControlListener[],
    private readonly lateRows: LateEvidenceRows,
  ) {
    this.connections = new LruMap(maxSessions, (_, c) => this.end(c));
  }

  observe(p: AnalyzedPacket): void {
    const view = p.tcp;
    const connection = p.tcpConnection ?? null;
    if (view === null || connection === null || !isFtpControl(p)) return;
    const tcp = view.tcp;
    // The side on port 21 is the server; between two port-21 endpoints the connection's opener is the client.
    const fromClient = tcp.destinationPort === FTP_CONTROL_PORT && (tcp.sourcePort !== FTP_CONTROL_PORT || p.tcpFromA !== false);
    tcpPayloadOf(p, this.payload);
    let c = this.connections.get(connection);
    const syn = (tcp.flags & TcpFlags.SYN) !== 0;
    if (c === undefined) {
      if (!syn && this.payload.wireLength === 0) return; // a bare ACK of a connection we never saw open
      c = this.open(p, fromClient);
      this.connections.set(connection, c);
    }
    const session = c.session;
    session.lastSec = secondsOf(p);
    session.packets++;
    this.current = p;
    const lines = fromClient ? c.clientLines : c.serverLines;
    if (syn) lines.syn(tcp.seq);
    else if (!c.encrypted) lines.feed(tcp.seq, p.packet.data, this.payload.start, this.payload.end, this.payload.wireLength);
    this.current = null;
    if ((tcp.flags & TcpFlags.RST) !== 0) this.close(connection, c);
    else if ((tcp.flags & TcpFlags.FIN) !== 0) {
      if (fromClient) c.clientFin = true;
      else c.serverFin = true;
      if (c.clientFin && c.serverFin) this.close(connection, c);
    }
  }

  /** Ends every open session (the trace is over), earliest activity first. */
  finish(): void {
    const open = this.connections.drain().map(([, c]) => c);
    open.sort((a, b) => a.session.lastSec - b.session.lastSec);
    for (const c of open) this.end(c);
  }

  private open(p: AnalyzedPacket, fromClient: boolean): ControlConnection {
    const view = p.tcp!;
    const [client, server] = fromClient ? [sourceText(view), destinationText(view)] : [destinationText(view), sourceText(view)];
    const [clientPort, serverPort] = fromClient ? [view.tcp.sourcePort, view.tcp.destinationPort] : [view.tcp.destinationPort, view.tcp.sourcePort];
    const evidence = new FindingEvidence();
    evidence.hold(p, 'first packet of the FTP control session', this.lateRows);
    const session: FtpSession = {
      client,
      clientPort,
      server,
      serverPort,
      label: `${endpointText(client, clientPort)} → ${endpointText(server, serverPort)}`,
      startSec: secondsOf(p),
      lastSec: secondsOf(p),
      packets: 0,
      users: [],
      failedLogins: 0,
      loggedIn: false,
      lastCommand: null,
      lastUser: null,
      evidence,
    };
    const c: ControlConnection = new ControlConnection(
      session,
      (line) => this.clientLine(c, line),
      (line, complete) => this.serverLine(c, line, complete),
    );
    return c;
  }

  private clientLine(c: ControlConnection, line: string): void {
    const command = parseFtpCommand(line);
    const p = this.current;
    if (command === null || p === null || c.encrypted) return;
    const session = c.session;
    session.lastCommand = command.verb;
    if (command.verb === 'USER') {
      const user = command.argument.trim().slice(0, MAX_USER_NAME);
      session.lastUser = user;
      if (session.users.length < USERS_PER_SESSION && !session.users.includes(user)) session.users.push(user);
    }
    for (const listener of this.listeners) listener.command?.(session, command, p);
  }

  private serverLine(c: ControlConnection, line: string, complete: boolean): void {
    const p = this.current;
    if (p === null || c.encrypted) return;
    if (c.replyCode !== null) {
      // Inside a multi-line reply: only "ddd " with the same code ends it (RFC 959 §4.2).
      c.replyComplete &&= complete;
      const last = parseReplyLine(line);
      if (last !== null && last.code === c.replyCode && !last.continues) {
        const code = c.replyCode;
        c.replyCode = null;
        this.reply(c, code, c.replyText, c.replyComplete, p);
      }
      return;
    }
    const reply = parseReplyLine(line);
    if (reply === null) return;
    if (reply.continues) {
      c.replyCode = reply.code;
      c.replyText = reply.text;
      c.replyComplete = complete;
      return;
    }
    this.reply(c, reply.code, reply.text, complete, p);
  }

  private reply(c: ControlConnection, code: number, text: string, complete: boolean, p: AnalyzedPacket): void {
    const session = c.session;
    if (code === ReplyCode.SECURITY_ACCEPTED && session.lastCommand === 'AUTH') c.encrypted = true;
    if (code === ReplyCode.LOGGED_IN) session.loggedIn = true;
    if (code === ReplyCode.NOT_LOGGED_IN && session.lastCommand !== null && LOGIN_COMMANDS.has(session.lastCommand)) {
      session.failedLogins++;
      const user = session.lastUser === null ? '' : ` for user ${session.lastUser}`;
      session.evidence.addContext(p, `530 ${text}`.trim() + user);
    }
    for (const listener of this.listeners) listener.reply?.(session, code, text, complete, p);
  }

  private close(key: TcpConnection, c: ControlConnection): void {
    this.connections.delete(key);
    this.end(c);
  }

  private end(c: ControlConnection): void {
    for (const listener of this.listeners) listener.sessionEnd?.(c.session);
  }
}

/** True when `session` had a 530 reply to a login command (for listeners reading a 530). */
export function isFailedLoginReply(session: FtpSession, code: number): boolean {
  return code === ReplyCode.NOT_LOGGED_IN && session.lastCommand !== null && LOGIN_COMMANDS.has(session.lastCommand);
}
