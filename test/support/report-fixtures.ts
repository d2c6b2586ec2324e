/**
 * Report objects built by hand for the renderer tests, shaped like the analysis engine's output: a zero
 * window stall on an HTTP download (exception-catalog E.11), a SYN scan (E.12), OSA discards 4114
 * (E.10), capture damage, capped tables. Also a report whose every string carries a hostile payload, and
 * one that stands for a million-packet trace.
 */
import { SEVERITIES, type EvidenceRef, type Finding, type Severity } from '../../src/analysis/finding.js';
import { TCP_ANALYSIS_FLAGS, type TcpAnalysisFlagName } from '../../src/analysis/tcp/tcp-flags.js';
import {
  REPORT_SCHEMA_VERSION,
  type Capped,
  type ConnectionSummary,
  type LadderStep,
  type PacketRow,
  type Report,
  type TimelineBucket,
} from '../../src/report/report-model.js';

const T0 = Date.UTC(2016, 5, 22, 15, 39, 35); // ms

/** ISO time `offsetSec` after the trace start, with nanoseconds. */
export function timeAt(offsetSec: number): string {
  const ns = Math.round(offsetSec * 1e9);
  const whole = new Date(T0 + Math.floor(ns / 1e9) * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(ns % 1e9).padStart(9, '0')}Z`;
}

export function capped<T>(rows: T[], total: number): Capped<T> {
  return { rows, total, omitted: total - rows.length };
}

function evidence(frames: number[], note: string, recordOffset = 10): EvidenceRef[] {
  return frames.map((frame) => ({ frame, input: 0, record: frame + recordOffset, time: timeAt(frame / 100), note }));
}

const STALL = '10.0.52.164:2550 ↔ 61.8.0.17:80';

function findings(): Finding[] {
  const zeroWindowFrames = Array.from({ length: 20 }, (_, i) => 120 + i * 3);
  return [
    {
      rule: 'hostile.port_scan',
      category: 'hostile',
      severity: 'error',
      title: 'SYN scan from 50.79.43.252: 23 ports of 10.1.2.3 in 41 s',
      explanation: 'One source tried many ports and most attempts were refused or unanswered (S0/REJ): a port scan.',
      subject: { host: '50.79.43.252', service: '10.1.2.3' },
      firstTime: timeAt(3),
      lastTime: timeAt(44),
      count: 23,
      evidence: evidence([31, 32, 35], 'SYN to a closed port, answered by RST'),
      details: { ports: [21, 22, 23, 25, 80, 443], outcome: 'REJ', distinctPorts: 23 },
    },
    {
      rule: 'tcp.zero_window',
      category: 'tcp',
      severity: 'warning',
      title: 'Zero window advertised by 10.0.52.164:2550',
      explanation: 'The receiving application is not reading its data: a host problem, not a network one.',
      subject: { connection: STALL },
      firstTime: timeAt(1.2),
      lastTime: timeAt(33.5),
      count: 57,
      evidence: evidence(zeroWindowFrames, 'window 0'),
      details: { zeroWindowSeconds: 32.3 },
    },
    {
      rule: 'zos.discard',
      category: 'zos',
      severity: 'warning',
      title: 'Packets discarded by the stack: 4114 IP_MAC_BRDCST on OSAQDIO4',
      explanation: 'Usually an invalid locally administered MAC address on the OSA port.',
      subject: { interface: 'OSAQDIO4' },
      firstTime: timeAt(0.5),
      lastTime: timeAt(59),
      count: 312,
      evidence: evidence([5, 9], 'discard 4114'),
      details: { code: 4114, name: 'IP_MAC_BRDCST' },
    },
    {
      rule: 'tcp.retransmission',
      category: 'tcp',
      severity: 'note',
      title: 'Retransmissions on 10.0.52.164:2550 ↔ 61.8.0.17:80',
      explanation: 'Data sent again: lost on the way or acknowledged late.',
      subject: { connection: STALL },
      firstTime: timeAt(2),
      lastTime: timeAt(3),
      count: 2,
      evidence: evidence([150, 151], 'seq below next expected'),
      details: {},
    },
    {
      rule: 'tcp.window_update',
      category: 'tcp',
      severity: 'chat',
      title: 'Window updates on 10.0.52.164:2550 ↔ 61.8.0.17:80',
      explanation: 'The receiver opened its window again.',
      subject: { connection: STALL },
      firstTime: timeAt(33.5),
      lastTime: timeAt(33.5),
      count: 1,
      evidence: evidence([200], 'window 0 → 65535'),
      details: {},
    },
  ];
}

function connection(id: string, state: string, start: number, elapsed: number, fields: Partial<ConnectionSummary> = {}): ConnectionSummary {
  const [originator = '', responder = ''] = id.split(' ↔ ');
  return {
    id,
    protocol: 'tcp',
    originator,
    responder,
    state,
    history: state === 'REJ' ? 'Sr' : 'ShADadFf',
    start: timeAt(start),
    end: timeAt(start + elapsed),
    elapsedSec: elapsed,
    packetsOut: 10,
    packetsIn: 12,
    bytesOut: 800,
    bytesIn: 12_000,
    serverTimeSec: null,
    networkTimeSec: null,
    rttMinMs: 0.1,
    rttAvgMs: 0.4,
    rttMaxMs: 1.2,
    throughputBytesPerSec: 12_800 / Math.max(elapsed, 1e-6),
    retransmittedBytes: 0,
    duplicateAcks: 0,
    zeroWindowSec: 0,
    mss: '1460 / 1460',
    windowScale: '2 / 0',
    findings: [],
    ...fields,
  };
}

function connections(): Capped<ConnectionSummary> {
  return capped(
    [
      connection(STALL, 'SF', 0.9, 125.0584, {
        packetsOut: 3100,
        packetsIn: 4095,
        bytesOut: 124_000,
        bytesIn: 5_339_438,
        serverTimeSec: 124.5931,
        networkTimeSec: 0.4653,
        retransmittedBytes: 2920,
        duplicateAcks: 4,
        zeroWindowSec: 32.3,
        findings: ['tcp.zero_window', 'tcp.retransmission'],
      }),
      connection('50.79.43.252:40001 ↔ 10.1.2.3:23', 'REJ', 3, 0.0004, { packetsOut: 1, packetsIn: 1, bytesOut: 44, bytesIn: 40 }),
      connection('10.1.2.9:1027 ↔ 10.1.2.3:21', 'S1', 10, 2.75, { serverTimeSec: 2.7368, networkTimeSec: 0.0137 }),
    ],
    1204,
  );
}

function ladderSteps(): LadderStep[] {
  const steps: [number, 'right' | 'left', string, number][] = [
    [101, 'right', 'SYN', 0],
    [102, 'left', 'ACK SYN', 0.0001],
    [103, 'right', 'ACK', 0.0219],
    [104, 'right', 'ACK PSH : http GET /download', 0.0005],
    [105, 'left', 'ACK : window 0', 0.0431],
    [106, 'right', 'ACK : zero window probe', 32.2],
    [107, 'left', 'ACK : window update 65535', 0.3],
  ];
  let offset = 0.9;
  return steps.map(([frame, arrow, summary, delta]) => {
    offset += delta;
    return { frame, record: frame + 10, time: timeAt(offset), deltaSec: delta, arrow, summary, largestGap: delta > 1 };
  });
}

function packetRow(frame: number, fields: Partial<PacketRow> = {}): PacketRow {
  return {
    frame,
    input: 0,
    record: frame + 10,
    time: timeAt(frame / 100),
    size: 40,
    direction: 'outbound',
    source: '10.0.52.164:2550',
    destination: '61.8.0.17:80',
    protocol: 'TCP',
    message: 'ACK',
    seq: 1_000_000 + frame,
    ack: 2_000_000,
    window: 65535,
    ctrace: { link: 'OSAQDIO4', device: 'MPC_IP_AQENET', asid: '003E', job: 'TCPIP' },
    ...fields,
  };
}

function timeline(buckets: number, packetsPerBucket: (i: number) => number): TimelineBucket[] {
  return Array.from({ length: buckets }, (_, i) => ({
    start: timeAt(i * 5),
    packets: packetsPerBucket(i),
    bytes: packetsPerBucket(i) * 700,
    exceptions: { error: i === 1 ? 3 : 0, warning: i % 6 === 0 ? 4 : 0, note: i === 0 ? 2 : 0, chat: i === 6 ? 1 : 0 },
  }));
}

function tcpAnalysisCounts(counts: Partial<Record<TcpAnalysisFlagName, number>>): Record<TcpAnalysisFlagName, number> {
  return Object.fromEntries(TCP_ANALYSIS_FLAGS.map((flag) => [flag.name, counts[flag.name] ?? 0])) as Record<TcpAnalysisFlagName, number>;
}

function countBySeverity(list: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of list) counts[f.severity]++;
  return counts;
}

/** A CTRACE read summary as `zctrace info --json` prints it, with some damage. */
function traceSummary(path: string): Record<string, unknown> {
  return {
    file: path,
    fileSize: 5_242_880,
    framing: 'rdw',
    framingReason: 'record descriptors chain through the file',
    component: 'SYSTCPDA',
    componentReason: 'format IDs 4',
    layoutProfile: 'default',
    codePage: '1047',
    leapSeconds: 0,
    entries: 7210,
    entriesByFormat: [{ formatId: 4, label: 'packet trace', entries: 7207 }],
    packets: 7195,
    firstPacketTime: timeAt(0),
    lastPacketTime: timeAt(125),
    interfaces: [],
    discards: [{ code: 4114, name: 'IP_MAC_BRDCST', layer: 'OSA', packets: 312 }],
    truncatedPackets: 12,
    decoder: { entriesNotConverted: 3, incompleteSegmentSets: 1 },
    zeroFillBytes: 0,
    damagedBytes: 4096,
    damagedRanges: [{ fileOffset: 65_536, length: 4096, kind: 'damaged', reason: 'no valid entry' }],
    damagedRangesNotListed: 0,
    framingAnomalies: [],
    framingAnomaliesNotListed: 0,
  };
}

/** The everyday report: a few of each finding severity, capped tables, a damaged input. */
export function sampleReport(): Report {
  const list = findings();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'zctrace 0.1.0',
    generatedAt: '2025-11-22T10:15:30.000000000Z',
    inputs: [{ path: 'TRACE.bin', kind: 'ctrace', trace: traceSummary('TRACE.bin'), packets: 7195 }],
    thresholds: { 'portScan.distinctPorts': 15, 'portScan.windowSec': 60, 'ladder.largestGaps': 3, 'outOfOrder.defaultRttSec': 0.003 },
    overview: {
      packets: 7195,
      bytes: 5_463_438,
      firstTime: timeAt(0),
      lastTime: timeAt(125.0584),
      findingsBySeverity: countBySeverity(list),
      headline: list.map((f) => ({ rule: f.rule, severity: f.severity, title: f.title, count: f.count })),
      timeline: timeline(26, (i) => (i === 7 ? 0 : 200 + ((i * 37) % 150))),
      timelineBucketSec: 5,
    },
    findings: list,
    tcpAnalysis: tcpAnalysisCounts({ retransmission: 2, zero_window: 57, window_update: 1, duplicate_ack: 4 }),
    connections: connections(),
    connectionStates: { SF: 1100, REJ: 98, S1: 6 },
    ladders: [{ connection: STALL, steps: capped(ladderSteps(), 7195 - 2) }],
    packets: capped(
      [
        packetRow(5, { direction: 'inbound', source: '10.0.0.1', destination: '255.255.255.255', protocol: 'UDP', message: 'NBNS', seq: null, ack: null, window: null, ctrace: { link: 'OSAQDIO4', discard: '4114/IP_MAC_BRDCST' } }),
        packetRow(31, { source: '50.79.43.252:40001', destination: '10.1.2.3:23', direction: 'inbound', message: 'SYN' }),
        packetRow(101, { message: 'SYN', size: 60 }),
        packetRow(104, { message: 'ACK PSH : http GET /download', size: 380 }),
        packetRow(120, { direction: 'inbound', source: '61.8.0.17:80', destination: '10.0.52.164:2550', message: 'ACK : window 0', window: 0 }),
      ],
      7195,
    ),
    responseTimes: [
      { service: 'tcp/80 (http)', requests: 24, avgMs: 43.1, minMs: 2.5, maxMs: 1520.5, p95Ms: 110.2, overThreshold: 1 },
      { service: 'tcp/21 (ftp)', requests: 3, avgMs: 4.2, minMs: 3.1, maxMs: 5.0, p95Ms: null, overThreshold: 0 },
    ],
    statistics: [
      { title: 'Records by format ID', columns: ['format ID', 'entries'], rows: capped([[4, 7207], [8, 3]], 2) },
      {
        title: 'Packets by interface',
        columns: ['interface', 'device', 'in', 'out', 'bytes', 'first', 'last'],
        rows: capped([['OSAQDIO4', 'MPC_IP_AQENET', 4095, 3100, 5_463_438, timeAt(0), timeAt(125)]], 1),
      },
      { title: 'Packets by port', columns: ['port', 'packets'], rows: capped([[80, 7190], [23, 2], [21, 3]], 911) },
    ],
    evidenceIncomplete: true,
  };
}

/** Field names whose values are fixed vocabularies the renderer switches on, not text from a trace. */
const ENUM_FIELDS = new Set(['severity', 'arrow']);
/** Objects whose keys come from the trace or the config and are shown: their keys get the payload too. */
const KEYED_FIELDS = new Set(['details', 'thresholds', 'ctrace']);

function poisoned(value: unknown, payload: string, key: string | null): unknown {
  if (typeof value === 'string') return key !== null && ENUM_FIELDS.has(key) ? value : `${payload}${value}${payload}`;
  if (Array.isArray(value)) return value.map((v) => poisoned(v, payload, null));
  if (value === null || typeof value !== 'object') return value;
  const poisonKeys = key !== null && KEYED_FIELDS.has(key);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [poisonKeys ? `${payload}${k}` : k, poisoned(v, payload, k)]),
  );
}

/**
 * The sample report with `payload` around every free-text string (names, messages, titles, paths,
 * statistics cells, details) and before every key of the open maps (details, thresholds, CTRACE facts).
 */
export function hostileReport(payload: string): Report {
  return poisoned(sampleReport(), payload, null) as Report;
}

/**
 * A report standing for a trace of `packets` packets, with tables as full as the caps allow: what the
 * HTML must stay reasonable for.
 */
export function largeReport(packets: number, caps: { packetRows: number; connectionRows: number; ladders: number; ladderSteps: number; findings: number; buckets: number }): Report {
  const base = sampleReport();
  const finding = base.findings[1] as Finding;
  const step = ladderSteps()[3] as LadderStep;
  return {
    ...base,
    overview: { ...base.overview, packets, timeline: timeline(caps.buckets, (i) => 1000 + (i % 17) * 50) },
    findings: Array.from({ length: caps.findings }, (_, i) => ({ ...finding, title: `${finding.title} #${i + 1}` })),
    connections: capped(
      Array.from({ length: caps.connectionRows }, (_, i) => connection(`10.0.${i >> 8}.${i & 255}:${1024 + i} ↔ 10.1.2.3:80`, 'SF', i, 1.5)),
      Math.floor(packets / 20),
    ),
    ladders: Array.from({ length: caps.ladders }, (_, l) => ({
      connection: `10.0.0.${l}:${1024 + l} ↔ 10.1.2.3:80`,
      steps: capped(Array.from({ length: caps.ladderSteps }, (_, i) => ({ ...step, frame: l * 10_000 + i })), caps.ladderSteps * 10),
    })),
    packets: capped(Array.from({ length: caps.packetRows }, (_, i) => packetRow(i + 1)), packets),
  };
}
