/**
 * A SYSTCPDA data set mixing packet trace (format 4) and data trace (format 5), for samples/data-trace.bin
 * and the end-to-end tests. The z/OS stack is the FTP server 198.51.100.2 of the real FTP control session
 * in test/fixtures/real-tcp-ipv4.pcap (port 21: USER, PASS, TYPE I, PASV, RETR, QUIT), with job FTPD1:
 *
 * - the session's packets as the stack's packet trace (link OSAQDIO4), straight from the capture;
 * - connection 0000ABCD: that session's socket data as FTPD1 saw it: a flow-start record, one record per
 *   segment that carried data (sent 5 µs before the packet left, received 5 µs after it arrived), and a
 *   flow-end record as the server closes; source and destination are those of the data;
 * - connection 0000ABCE: the same dialog one second later from client port 44750, protected by AT-TLS with
 *   CtraceClearText on: every record marked clear-text and showing the data;
 * - connection 0000ABCF: the same dialog two seconds later from client port 44760, protected by AT-TLS with
 *   CtraceClearText off: every record marked confidential, its data withheld (only the length recorded).
 *
 * Payloads are read from the capture here, independently of the product's IP code.
 */
import { fileURLToPath } from 'node:url';
import { buildDataSet, ipFacts, ipPacketOf, packetEntriesFromFrames, readFrames } from './trace-from-capture.js';
import { buildDataEntry, Domain, FlowState, flagMask, SockType } from './data-trace-builder.js';
import type { CapturedFrame } from '../../src/capture/capture-file-reader.js';
import type { UnixTime } from './packet-trace-builder.js';

const REAL_TCP_IPV4 = fileURLToPath(new URL('../fixtures/real-tcp-ipv4.pcap', import.meta.url));

export const FTP_SERVER = '198.51.100.2';
export const FTP_CLIENT = '198.51.100.1';
export const FTP_JOB = 'FTPD1';
const FTP_PORT = 21;
const TCP_FIN = 0x01;
const FTPD1_ASID = 0x0041;
const FTPD1_TCB = 0x007e_1a88;
/** The send happens just before the packet leaves, the receive just after it arrives: within the 14 µs the
 * server took to answer PASS, so the records keep the dialog's order. */
const SEND_LEAD_NS = 5_000;
const RECEIVE_LAG_NS = 5_000;
const START_LEAD_NS = 40_000;
const CLOSE_LEAD_NS = 10_000;

export type SocketTls = 'none' | 'clear' | 'confidential';

/** One traced connection and what it carried each way. */
export interface SampleConnection {
  connectionId: number;
  clientPort: number;
  tls: SocketTls;
  /** Socket data sent by the server, and received from the client, in order. */
  serverSent: Uint8Array[];
  clientSent: Uint8Array[];
}

export interface DataTraceSample {
  /** CTEs in time order. */
  entries: Uint8Array[];
  packetRecords: number;
  dataRecords: number;
  connections: SampleConnection[];
}

interface Timed {
  time: UnixTime;
  cte: Uint8Array;
}

function shifted(time: UnixTime, ns: number): UnixTime {
  const total = time.nsec + ns;
  return { sec: time.sec + Math.floor(total / 1e9), nsec: ((total % 1e9) + 1e9) % 1e9 };
}

/** The TCP payload and flags of an IPv4 packet (read by hand: header lengths from IHL and data offset). */
function tcpPayload(ip: Uint8Array): { payload: Uint8Array; flags: number } {
  const tcp = ip.subarray((ip[0]! & 0x0f) * 4);
  return { payload: tcp.subarray((tcp[12]! >> 4) * 4), flags: tcp[13]! };
}

interface DialogStep {
  time: UnixTime;
  fromServer: boolean;
  payload: Uint8Array;
}

/** Records of one connection of the dialog: start, data each way, end. */
function connectionRecords(steps: DialogStep[], closeTime: UnixTime, connection: SampleConnection, offsetNs: number): Timed[] {
  const tlsFlag = connection.tls === 'clear' ? flagMask('clear-text') : connection.tls === 'confidential' ? flagMask('confidential') : 0;
  const outbound = flagMask('outbound');
  const record = (time: UnixTime, fromServer: boolean, state: number, payload: Uint8Array): Timed => {
    const at = shifted(time, offsetNs);
    const withheld = connection.tls === 'confidential';
    const cte = buildDataEntry({
      data: withheld ? new Uint8Array(0) : payload,
      dataLength: payload.length,
      socket: { jobName: FTP_JOB, domain: Domain.INET, socketType: SockType.STREAM, protocol: 6, state },
      fields: {
        headerVersion: 1,
        flags: (fromServer ? outbound : 0) | tlsFlag,
        captureTime: at,
        sourceAddress: fromServer ? FTP_SERVER : FTP_CLIENT,
        destinationAddress: fromServer ? FTP_CLIENT : FTP_SERVER,
        sourcePort: fromServer ? FTP_PORT : connection.clientPort,
        destinationPort: fromServer ? connection.clientPort : FTP_PORT,
        protocol: 6,
        asid: FTPD1_ASID,
        tcb: FTPD1_TCB,
        connectionId: connection.connectionId,
      },
    });
    return { time: at, cte };
  };
  const first = steps[0]!;
  const records = [record(shifted(first.time, -START_LEAD_NS), first.fromServer, FlowState.START, new Uint8Array(0))];
  for (const step of steps) {
    records.push(record(step.time, step.fromServer, FlowState.DATA, step.payload));
    (step.fromServer ? connection.serverSent : connection.clientSent).push(step.payload);
  }
  records.push(record(shifted(closeTime, -CLOSE_LEAD_NS), true, FlowState.END, new Uint8Array(0)));
  return records;
}

export async function dataTraceSample(): Promise<DataTraceSample> {
  const frames: CapturedFrame[] = (await readFrames(REAL_TCP_IPV4)).filter((frame) => {
    const facts = ipFacts(ipPacketOf(frame));
    return facts.protocol === 6 && (facts.sourcePort === FTP_PORT || facts.destinationPort === FTP_PORT);
  });
  const packetEntries = packetEntriesFromFrames(frames, { localAddresses: [FTP_SERVER], asid: 0x3e });
  const timed: Timed[] = packetEntries.map((cte, i) => ({ time: { sec: frames[i]!.timeSec, nsec: frames[i]!.timeNsec }, cte }));

  const steps: DialogStep[] = [];
  let closeTime: UnixTime | null = null;
  let firstClientPort = 0;
  for (const frame of frames) {
    const ip = ipPacketOf(frame);
    const facts = ipFacts(ip);
    const fromServer = facts.source === FTP_SERVER;
    if (!fromServer) firstClientPort ||= facts.sourcePort;
    const time = { sec: frame.timeSec, nsec: frame.timeNsec };
    const { payload, flags } = tcpPayload(ip);
    if (payload.length > 0) steps.push({ time: shifted(time, fromServer ? -SEND_LEAD_NS : RECEIVE_LAG_NS), fromServer, payload: payload.slice() });
    if (fromServer && (flags & TCP_FIN) !== 0 && closeTime === null) closeTime = time;
  }
  if (steps.length === 0 || closeTime === null) throw new Error('the fixture lost its FTP control session');
  steps.forEach((step, i) => {
    const before = steps[i - 1];
    if (before !== undefined && (before.time.sec > step.time.sec || (before.time.sec === step.time.sec && before.time.nsec >= step.time.nsec))) {
      throw new Error('socket records would leave the order of the FTP dialog');
    }
  });

  const connections: SampleConnection[] = [
    { connectionId: 0xabcd, clientPort: firstClientPort, tls: 'none', serverSent: [], clientSent: [] },
    { connectionId: 0xabce, clientPort: 44750, tls: 'clear', serverSent: [], clientSent: [] },
    { connectionId: 0xabcf, clientPort: 44760, tls: 'confidential', serverSent: [], clientSent: [] },
  ];
  let dataRecords = 0;
  connections.forEach((connection, i) => {
    const records = connectionRecords(steps, closeTime, connection, i * 1e9);
    dataRecords += records.length;
    timed.push(...records);
  });
  // The stack writes entries in time order; sort is stable, so equal times keep packet before socket record.
  timed.sort((a, b) => a.time.sec - b.time.sec || a.time.nsec - b.time.nsec);
  return { entries: timed.map((t) => t.cte), packetRecords: packetEntries.length, dataRecords, connections };
}

/** samples/data-trace.bin: the sample entries in 64 KiB trace buffers, downloaded with `quote site rdw`. */
export async function buildDataTraceSample(): Promise<Uint8Array> {
  return buildDataSet((await dataTraceSample()).entries, 'rdw');
}
