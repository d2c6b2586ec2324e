/**
 * DNS queries and what became of them (spec DNS-02, DNS-03): each query is kept by client address and
 * port, server and message ID until its answer arrives, or for a while past its last send. A query still
 * unanswered after the timeout is reported per client and server, with its retries (same ID, same port);
 * a query answered by an ICMP error instead (TTL exceeded on the way, port unreachable) is tied to it
 * through the quoted header and reported per client: several servers failing alike means no DNS server
 * is reachable.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import { secondsOf } from './application-packet.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import type { LateEvidenceRows } from '../evidence-rows.js';
import { LruMap } from './lru-map.js';

/** Answers later than this after the last send are not waited for: the query is settled. */
const LATE_ANSWER_HORIZON_SEC = 30;

export interface DnsQueryFacts {
  client: string;
  clientPort: number;
  server: string;
  id: number;
  overTcp: boolean;
  /** "www.example.org A", or "" when the query holds no readable question. */
  question: string;
}

interface OutstandingQuery {
  facts: DnsQueryFacts;
  firstSec: number;
  lastSec: number;
  sends: number;
  evidence: FindingEvidence;
}

export interface IcmpAnswerFacts {
  /** The quoted query's client, client port and server. */
  client: string;
  clientPort: number;
  server: string;
  /** The quoted message ID, or -1 when the quote stops before it. */
  id: number;
  /** Who sent the ICMP error (a router, or the server itself). */
  reporter: string;
  /** "TTL exceeded in transit", "port unreachable". */
  kind: string;
}

class UnansweredGroup {
  readonly evidence = new FindingEvidence();
  readonly names = new CappedList(25);
  queries = 0;
  client = '';
  server = '';
}

class IcmpAnsweredGroup {
  readonly evidence = new FindingEvidence();
  readonly servers = new CappedList(25);
  readonly reporters = new CappedList(10);
  readonly kinds = new CappedList(5);
  readonly names = new CappedList(25);
}

export interface DnsQueryLimits {
  responseTimeoutSec: number;
  sendsForWarning: number;
  maxTracked: number;
  maxFindingGroups: number;
  lateRows: LateEvidenceRows;
}

function queryKey(f: { client: string; clientPort: number; server: string; id: number }, overTcp: boolean): string {
  return `${overTcp ? 't' : 'u'}|${f.client}|${f.clientPort}|${f.server}|${f.id}`;
}

function endpointsKey(client: string, clientPort: number, server: string): string {
  return `${client}|${clientPort}|${server}`;
}

export class DnsQueryTracker {
  private readonly queries: LruMap<string, OutstandingQuery>;
  /** The latest UDP query per client endpoint and server: ICMP quotes may stop before the message ID. */
  private readonly latestByEndpoints: LruMap<string, string>;
  private readonly unanswered: CappedGroups<UnansweredGroup>;
  private readonly icmpAnswered: CappedGroups<IcmpAnsweredGroup>;
  private nowSec = 0;

  constructor(private readonly limits: DnsQueryLimits) {
    this.queries = new LruMap(limits.maxTracked, (key, q) => {
      this.forgetEndpoints(key, q);
      this.settle(q);
    });
    this.latestByEndpoints = new LruMap(limits.maxTracked);
    this.unanswered = new CappedGroups(limits.maxFindingGroups, () => new UnansweredGroup());
    this.icmpAnswered = new CappedGroups(limits.maxFindingGroups, () => new IcmpAnsweredGroup());
  }

  query(p: AnalyzedPacket, f: DnsQueryFacts): void {
    const key = queryKey(f, f.overTcp);
    const sec = secondsOf(p);
    let q = this.queries.get(key);
    if (q === undefined) {
      q = { facts: f, firstSec: sec, lastSec: sec, sends: 0, evidence: new FindingEvidence() };
      this.queries.set(key, q);
    }
    q.sends++;
    q.lastSec = sec;
    const what = f.question === '' ? 'query' : `query ${f.question}`;
    q.evidence.hold(p, q.sends === 1 ? what : `${what}, sent again (${q.sends})`, this.limits.lateRows);
    if (!f.overTcp) this.latestByEndpoints.set(endpointsKey(f.client, f.clientPort, f.server), key);
  }

  /** A response from `server` to `client`:`clientPort` with message ID `id`. */
  response(client: string, clientPort: number, server: string, id: number, overTcp: boolean): void {
    const key = queryKey({ client, clientPort, server, id }, overTcp);
    const q = this.queries.peek(key);
    if (q !== undefined) this.forget(key, q);
  }

  /** Takes a query out of the tables (answered, settled or matched to an ICMP error). */
  private forget(key: string, q: OutstandingQuery): void {
    this.queries.delete(key);
    this.forgetEndpoints(key, q);
  }

  /** The endpoints' latest query is forgotten with it, so the table follows the queries outstanding. */
  private forgetEndpoints(key: string, q: OutstandingQuery): void {
    const endpoints = endpointsKey(q.facts.client, q.facts.clientPort, q.facts.server);
    if (this.latestByEndpoints.peek(endpoints) === key) this.latestByEndpoints.delete(endpoints);
  }

  /** An ICMP error quoting a UDP datagram to port 53. */
  icmpAnswer(p: AnalyzedPacket, f: IcmpAnswerFacts): void {
    const key = f.id >= 0 ? queryKey(f, false) : this.latestByEndpoints.peek(endpointsKey(f.client, f.clientPort, f.server));
    const q = key === undefined ? undefined : this.queries.peek(key);
    const group = this.icmpAnswered.get(f.client);
    group.evidence.add(p, `${f.kind} from ${f.reporter} for the query to ${f.server}`);
    group.servers.add(f.server);
    group.reporters.add(f.reporter);
    group.kinds.add(f.kind);
    if (key !== undefined && q !== undefined) {
      this.forget(key, q);
      group.evidence.absorb(q.evidence);
      if (q.facts.question !== '') group.names.add(q.facts.question);
    }
  }

  expire(nowSec: number): void {
    this.nowSec = Math.max(this.nowSec, nowSec);
    for (let oldest = this.queries.oldest(); oldest !== null; oldest = this.queries.oldest()) {
      const { key, value: q } = oldest;
      if (this.nowSec - q.lastSec <= LATE_ANSWER_HORIZON_SEC) return;
      this.forget(key, q);
      this.settle(q);
    }
  }

  finish(): Finding[] {
    for (const [, q] of this.queries.drain()) this.settle(q);
    return [...this.unansweredFindings(), ...this.icmpFindings()];
  }

  /** An unanswered query leaves the table: a finding once the timeout has passed since its first send. */
  private settle(q: OutstandingQuery): void {
    if (this.nowSec - q.firstSec < this.limits.responseTimeoutSec) return;
    const group = this.unanswered.get(`${q.facts.client}|${q.facts.server}`);
    group.client ||= q.facts.client;
    group.server ||= q.facts.server;
    group.queries++;
    group.evidence.count += q.sends;
    group.evidence.absorb(q.evidence);
    if (q.facts.question !== '') group.names.add(q.facts.question);
  }

  private *unansweredFindings(): Iterable<Finding> {
    for (const [key, g] of this.unanswered.entries()) {
      const [client, server] = key === OTHER_GROUP ? ['(other clients)', '(other servers)'] : [g.client, g.server];
      const sends = g.evidence.count;
      const retried = sends > g.queries;
      yield g.evidence.toFinding('dns.unanswered', 'application', sends >= this.limits.sendsForWarning ? 'warning' : 'note', {
        title: `DNS queries from ${client} to ${server} unanswered: ${g.queries} ${g.queries === 1 ? 'query' : 'queries'}, ${sends} ${sends === 1 ? 'send' : 'sends'}`,
        explanation:
          `No response came within ${this.limits.responseTimeoutSec} s` +
          (retried ? ', although the client sent the same query again' : '') +
          '. The server is down, not reachable, or drops the queries (a firewall, an ACL); the client waits for its ' +
          'resolver timeout before trying another server.',
        subject: { host: server, connection: `${client} → ${server}`, service: 'dns' },
        details: { queries: g.queries, sends, names: g.names.values, timeoutSec: this.limits.responseTimeoutSec },
      });
    }
  }

  private *icmpFindings(): Iterable<Finding> {
    for (const [key, g] of this.icmpAnswered.entries()) {
      const client = key === OTHER_GROUP ? '(other clients)' : key;
      const servers = g.servers.size;
      const none = servers > 1 ? `: none of ${servers} DNS servers reachable` : '';
      yield g.evidence.toFinding('dns.query_icmp_error', 'application', 'error', {
        title: `DNS queries from ${client} answered by ICMP ${g.kinds.text()} from ${g.reporters.text()}${none}`,
        explanation:
          `The queries to ${g.servers.text()} drew an ICMP error instead of an answer. ` +
          (g.kinds.values.some((kind) => kind.includes('exceeded'))
            ? 'TTL exceeded on the way means the datagrams loop between routers or the TTL the client sends is too low: ' +
              'a routing problem between the client and its DNS servers.'
            : 'The servers or a router on the way refuse the queries.') +
          (servers > 1 ? ' Every configured server fails alike, so name resolution fails as a whole.' : ''),
        subject: { host: client, service: 'dns' },
        details: { errors: g.evidence.count, servers: g.servers.values, reportedBy: g.reporters.values, icmp: g.kinds.values, names: g.names.values },
      });
    }
  }
}
