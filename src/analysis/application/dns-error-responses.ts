/**
 * DNS answers that report a failure (spec DNS-01, DNS-04): error response codes 1–5 by server and code,
 * with the names asked; truncated UDP answers (TC) that the client did not retry over TCP.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import { dnsRcodeFinding, dnsRcodeName } from './application-tables.js';
import { secondsOf } from './application-packet.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import type { LateEvidenceRows } from '../evidence-rows.js';
import { LruMap } from './lru-map.js';

export interface DnsResponseFacts {
  server: string;
  client: string;
  rcode: number;
  truncated: boolean;
  overTcp: boolean;
  /** "www.example.org A", or "" when the response holds no readable question. */
  question: string;
}

class RcodeGroup {
  readonly evidence = new FindingEvidence();
  readonly names = new CappedList(25);
  readonly clients = new CappedList(25);
  server = '';
  rcode = 0;
}

class TruncatedGroup {
  readonly evidence = new FindingEvidence();
  readonly names = new CappedList(25);
  readonly clients = new CappedList(25);
}

interface PendingRetry {
  sec: number;
  evidence: FindingEvidence;
  question: string;
  client: string;
  server: string;
}

export interface DnsErrorLimits {
  truncatedRetryWaitSec: number;
  maxTracked: number;
  maxFindingGroups: number;
  lateRows: LateEvidenceRows;
}

export class DnsErrorResponses {
  private readonly rcodes: CappedGroups<RcodeGroup>;
  private readonly truncated: CappedGroups<TruncatedGroup>;
  /** Truncated answers waiting for the client's TCP retry, by client|server. */
  private readonly pending: LruMap<string, PendingRetry>;
  private nowSec = 0;

  constructor(private readonly limits: DnsErrorLimits) {
    this.rcodes = new CappedGroups(limits.maxFindingGroups, () => new RcodeGroup());
    this.truncated = new CappedGroups(limits.maxFindingGroups, () => new TruncatedGroup());
    this.pending = new LruMap(limits.maxTracked, (_, r) => this.settle(r));
  }

  response(p: AnalyzedPacket, r: DnsResponseFacts): void {
    const finding = dnsRcodeFinding(r.rcode);
    if (finding !== null) {
      const group = this.rcodes.get(`${r.server}|${r.rcode}`);
      group.server ||= r.server;
      group.rcode = r.rcode;
      group.evidence.add(p, `response ${dnsRcodeName(r.rcode)}${r.question === '' ? '' : ` for ${r.question}`} to ${r.client}`);
      if (r.question !== '') group.names.add(r.question);
      group.clients.add(r.client);
    }
    if (r.truncated && !r.overTcp) {
      const evidence = new FindingEvidence();
      evidence.hold(p, `truncated answer${r.question === '' ? '' : ` for ${r.question}`}`, this.limits.lateRows);
      this.pending.set(`${r.client}|${r.server}`, { sec: secondsOf(p), evidence, question: r.question, client: r.client, server: r.server });
    }
  }

  /** A TCP SYN from `client` to `server` port 53: the retry a truncated answer asks for. */
  tcpRetry(client: string, server: string): void {
    this.pending.delete(`${client}|${server}`);
  }

  expire(nowSec: number): void {
    this.nowSec = Math.max(this.nowSec, nowSec);
    for (let oldest = this.pending.oldest(); oldest !== null; oldest = this.pending.oldest()) {
      if (this.nowSec - oldest.value.sec <= this.limits.truncatedRetryWaitSec) return;
      this.pending.delete(oldest.key);
      this.settle(oldest.value);
    }
  }

  finish(): Finding[] {
    for (const [, r] of this.pending.drain()) this.settle(r);
    return [...this.rcodeFindings(), ...this.truncatedFindings()];
  }

  /** A truncated answer leaves the table: not retried over TCP in time makes it a finding. */
  private settle(r: PendingRetry): void {
    if (this.nowSec - r.sec <= this.limits.truncatedRetryWaitSec) return; // the trace ended before the retry was due
    const group = this.truncated.get(r.server);
    group.evidence.count++;
    group.evidence.absorb(r.evidence);
    if (r.question !== '') group.names.add(r.question);
    group.clients.add(r.client);
  }

  private *rcodeFindings(): Iterable<Finding> {
    for (const [key, g] of this.rcodes.entries()) {
      const other = key === OTHER_GROUP;
      const finding = dnsRcodeFinding(g.rcode) ?? { severity: 'warning' as const, meaning: 'an error' };
      const name = other ? 'errors' : `${dnsRcodeName(g.rcode)} (rcode ${g.rcode})`;
      const server = other ? '(other servers)' : g.server;
      const count = g.evidence.count;
      yield g.evidence.toFinding('dns.error_rcode', 'application', finding.severity, {
        title: `DNS ${name} from ${server}: ${count} ${count === 1 ? 'response' : 'responses'}${g.names.size > 0 ? ` for ${g.names.text()}` : ''}`,
        explanation:
          `The DNS server answered with ${name}: ${finding.meaning}. Clients asking: ${g.clients.text()}. ` +
          'Applications on these clients fail to resolve these names (on z/OS check the resolver setup data set and TCPIP.DATA NSINTERADDR).',
        subject: { host: server, service: 'dns' },
        details: { rcode: g.rcode, rcodeName: dnsRcodeName(g.rcode), responses: count, names: g.names.values, clients: g.clients.values },
      });
    }
  }

  private *truncatedFindings(): Iterable<Finding> {
    for (const [key, g] of this.truncated.entries()) {
      const count = g.evidence.count;
      yield g.evidence.toFinding('dns.truncated', 'application', 'note', {
        title: `Truncated DNS answers from ${key}: ${count} not retried over TCP`,
        explanation:
          'The server set the TC flag: the answer did not fit in one UDP datagram (512 bytes without EDNS). The client ' +
          `should repeat the query over TCP port 53, but no TCP connection followed within ${this.limits.truncatedRetryWaitSec} s: ` +
          'it used the partial answer or failed. Check that TCP port 53 is allowed and the resolver supports it.',
        subject: { host: key, service: 'dns' },
        details: { truncatedAnswers: count, names: g.names.values, clients: g.clients.values },
      });
    }
  }
}
