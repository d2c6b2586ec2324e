/**
 * FTP password guessing (spec analysis.md §3, exception-catalog FTP-03): one source opening many short
 * control sessions to one server with failed logins, often cycling user names and stepping its source
 * port by a constant. Decided per source and server from session summaries, with sliding windows over the
 * sessions' end times; state is one small record per pair, bounded by the tracked-hosts limit.
 */
import type { Finding } from '../finding.js';
import { CappedList, FindingEvidence } from '../finding-groups.js';
import type { FtpControlListener, FtpSession } from './ftp-control-tracker.js';
import { loginPairKey } from './ftp-login-failures.js';
import { LruMap } from './lru-map.js';

export interface BruteForceLimits {
  /** Short sessions inside the window that make an attack (with at least one failed login). */
  sessions: number;
  windowSec: number;
  /** Failed logins inside the failed-login window that make an attack on their own. */
  failedLogins: number;
  failedLoginWindowSec: number;
  shortSessionSec: number;
  maxTrackedPairs: number;
}

/** Bounds a sliding window's list under a flood; the peak is already past any threshold by then. */
const MAX_WINDOW_ENTRIES = 10_000;

/** How many times fall inside a sliding window, and the most that ever did. */
class SlidingCount {
  /** Times in order; sessions end almost in order, so an insert walks back a step or two at most. */
  private readonly times: number[] = [];
  private head = 0;
  peak = 0;

  add(sec: number, windowSec: number, count = 1): void {
    for (let i = 0; i < count; i++) {
      let at = this.times.length;
      while (at > this.head && (this.times[at - 1] ?? 0) > sec) at--;
      this.times.splice(at, 0, sec);
    }
    const latest = this.times[this.times.length - 1] ?? sec;
    while (this.head < this.times.length && (this.times[this.head] ?? 0) < latest - windowSec) this.head++;
    if (this.times.length - this.head > MAX_WINDOW_ENTRIES) this.head = this.times.length - MAX_WINDOW_ENTRIES;
    this.peak = Math.max(this.peak, this.times.length - this.head);
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }
}

class PairAttempts {
  readonly evidence = new FindingEvidence();
  readonly users = new CappedList(30);
  readonly shortSessions = new SlidingCount();
  readonly failures = new SlidingCount();
  sessions = 0;
  shortSessionCount = 0;
  failedLogins = 0;
  successfulLogins = 0;
  private lastPort = -1;
  /** The step between successive source ports while it stays constant; 0 once it varies. */
  portStep: number | null = null;

  constructor(
    readonly client: string,
    readonly server: string,
  ) {}

  notePort(port: number): void {
    if (this.lastPort >= 0) {
      const step = port - this.lastPort;
      this.portStep = this.portStep === null || this.portStep === step ? step : 0;
    }
    this.lastPort = port;
  }
}

export class FtpBruteForce implements FtpControlListener {
  private readonly pairs: LruMap<string, PairAttempts>;
  private readonly findings: Finding[] = [];
  /** Pairs reported here (so the login-failure finding does not repeat them). */
  readonly reportedPairs = new Set<string>();

  constructor(private readonly limits: BruteForceLimits) {
    this.pairs = new LruMap(limits.maxTrackedPairs, (key, pair) => this.decide(key, pair));
  }

  sessionEnd(session: FtpSession): void {
    const key = loginPairKey(session);
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = new PairAttempts(session.client, key.slice(session.client.length + 1));
      this.pairs.set(key, pair);
    }
    pair.sessions++;
    pair.notePort(session.clientPort);
    pair.failedLogins += session.failedLogins;
    if (session.loggedIn) pair.successfulLogins++;
    for (const user of session.users) pair.users.add(user);
    if (session.lastSec - session.startSec < this.limits.shortSessionSec) {
      pair.shortSessionCount++;
      pair.shortSessions.add(session.lastSec, this.limits.windowSec);
    }
    if (session.failedLogins > 0) pair.failures.add(session.lastSec, this.limits.failedLoginWindowSec, session.failedLogins);
    pair.evidence.count = pair.sessions;
    pair.evidence.absorb(session.evidence);
  }

  finish(): Finding[] {
    for (const [key, pair] of this.pairs.drain()) this.decide(key, pair);
    return this.findings;
  }

  private decide(key: string, pair: PairAttempts): void {
    const manySessions = pair.shortSessions.peak >= this.limits.sessions && pair.failedLogins > 0;
    const manyFailures = pair.failures.peak >= this.limits.failedLogins;
    if (!manySessions && !manyFailures) return;
    this.reportedPairs.add(key);
    const users = pair.users.size;
    const step = pair.portStep !== null && pair.portStep !== 0 ? pair.portStep : null;
    const details: Finding['details'] = {
      sessions: pair.sessions,
      shortSessions: pair.shortSessionCount,
      peakShortSessionsInWindow: pair.shortSessions.peak,
      windowSec: this.limits.windowSec,
      failedLogins: pair.failedLogins,
      peakFailedLoginsInWindow: pair.failures.peak,
      successfulLogins: pair.successfulLogins,
      usersTried: pair.users.values,
    };
    if (step !== null) details['sourcePortStep'] = step;
    this.findings.push(
      pair.evidence.toFinding('ftp.brute_force', 'hostile', 'error', {
        title:
          `FTP brute-force login attempt from ${pair.client} on ${pair.server}: ${pair.sessions} sessions, ` +
          `${pair.failedLogins} failed logins, ${users} user ${users === 1 ? 'name' : 'names'}`,
        explanation:
          'One source opened many short FTP control sessions to one server and its logins failed (530): password ' +
          `guessing. User names tried: ${pair.users.text() || 'none seen'}.` +
          (step !== null ? ` Its source port rises by ${step} from session to session, the mark of a tool.` : '') +
          (pair.successfulLogins > 0
            ? ' A login succeeded: treat that account as compromised.'
            : ' No login succeeded in the trace. Block the source and check the server\'s logon-failure log.'),
        subject: { host: pair.client, service: pair.server },
        details,
      }),
    );
  }
}
