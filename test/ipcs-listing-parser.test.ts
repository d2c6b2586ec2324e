/**
 * The IPCS listing parser against IBM's own published examples (z/OS Communications Server IP Diagnosis
 * Guide: the SYSTCPDA FORMAT report, the SNA LU6.2 packet trace figure, the SYSTCPIS FORMAT report and
 * the data trace FORMAT figure), the contract's §9 test vectors, and damaged listings.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpcsListingParser, readIpcsListing, type IpcsListing } from '../src/calibrate/ipcs-listing-parser.js';
import { evidenceOf, recordKindOf } from '../src/calibrate/listing-evidence.js';
import { stckToUnixTime } from '../src/zos/stck.js';
import { ZctraceError } from '../src/errors.js';

function parse(text: string, path = 'LISTING.txt'): IpcsListing {
  const parser = new IpcsListingParser(path);
  for (const line of text.split('\n')) parser.line(line);
  return parser.finish();
}

function parseError(text: string): ZctraceError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ZctraceError) return error;
    throw error;
  }
  throw new Error('expected the listing to be refused');
}

const micros = (iso: string, us: number) => Date.parse(iso) * 1000 + us;

/** IBM's SYSTCPDA FORMAT example (record 3 of system MVSJ, contract §9), without the figure's callouts. */
const IBM_PACKET_RECORD = `
    3 MVSJ     PACKET   00000001 23:39:11.873541 Packet Trace
 To Interface      : TR1              Device: LCS Token Ring   Full=56
  Tod Clock        : 2002/02/12 23:39:11.873539
  Sequence #       : 0                Flags: Pkt Ver2 Out
  Source Port      : 1025             Dest Port: 53    Asid: 001E TCB: 007F62C0
 IpHeader: Version : 4                Header Length: 20
  Tos              : 00               QOS: Routine Normal Service
  Packet Length    : 56               ID Number: 000E
  Fragment         :                  Offset: 0
  TTL              : 64               Protocol: UDP         CheckSum: A6FB FFFF
  Source           : 9.67.113.65
  Destination      : 9.37.80.3

 UDP
  Source Port      : 1025  ()         Destination Port:  53    (domain)
  Datagram Length  : 36               CheckSum: AD0B FFFF
 DNS: 28
`;

/** IBM's SNA LU6.2 figure: the older "Lost Records" line and blank addresses. */
const IBM_SNA_RECORD = `
   19 VIC127   PACKET   00000001 22:52:18.648744 Packet Trace
 To Link           : SNALU62L         Device: SNA_LU6.2        Full=276
  Tod Clock        : 2001/02/20 22:52:18.648743
  Lost Records     : 0                Flags: Pkt Ver2 Out
  Source Port      : 0                Dest Port: 0     Asid: 01F6 TCB: 007AEE88
 IpHeader: Version : 4                Header Length: 20
  Tos              : 00 QOS: Routine  Normal Service
  Packet Length    : 276              ID Number: 1543
  Fragment         :                  Offset: 0
  TTL              : 64               Protocol: ICMP           CheckSum: 4A5A FFFF
  Source           :
  Destination      :
  Type/Code        : ECHO             CheckSum: 5B3F FFFF
  Id               : 4923             Seq: 11849
  Echo Data        : 248
000000 B56D52DB 47A07ACA 2D523F5F 72BE75F9 |.mR.G.z.-R?_r.u.
000010 36332E6F 5A2D7969 5F7DDC7F 401715D9 |63.oZ-yi_}..@...
`;

/** IBM's SYSTCPIS FORMAT example (record 4521, contract §9). */
const IBM_IDS_RECORD = `
COMPONENT TRACE SHORT FORMAT
SYSNAME(MVS118)
COMP(SYSTCPIS)SUBNAME((TCPCS))
OPTIONS((OPT FORMAT))
**** 2002/11/20
RcdNr Sysname Mnemonic Entry Id Time Stamp Description
----- -------- -------- -------- --------------- --------------------------------
 4521 MVS118   SCAN     03030000 17:38:32.175560 Scan-Normal packet
 From Link         : ETH1             Device: LCS Ethernet     Full=40
  Tod Clock        : 2002/11/20 17:38:32.175559 Module: EZBIPICM
  Job Name         : TCPCS            Asid: 01F7 Tcb: 00000000
  Cid              : 00000000         Correlator: 10
  Policy           : ScanEventIcmp-rule
 IpHeader: Version : 4                Header Length: 20
  Tos              : 00               QOS: Routine Normal Service
  Packet Length    : 40               ID Number: 0000
  Fragment         : DontFragment     Offset: 0
  TTL              : 62               Protocol: ICMP        CheckSum: 5914 FFFF
  Source           : 9.42.105.71
  Destination      : 9.42.104.38
`;

/** The first lines of IBM's data trace FORMAT figure (record 63 of MVS182). */
const IBM_DATA_RECORD = `
   63 MVS182   DATA     00000005 13:18:52.705250 Data Trace
 To Jobname        : USER12                                    Full=0
  Tod Clock        : 2009/06/22 13:18:52.705248 Cid: 00000058
  Domain           : AF_Inet          Type: Stream    Protocol: TCP
  State            : API Data Flow Starts
  Segment #        : 0                Flags: Out
`;

describe('IPCS listing parser', () => {
  it("reads IBM's SYSTCPDA packet record: trace header, then the IP header, ignoring the UDP decode", () => {
    const listing = parse(IBM_PACKET_RECORD);
    expect(listing.records).to.have.length(1);
    const r = listing.records[0]!;
    expect([r.recordNumber, r.systemName, r.mnemonic, r.entryId, r.description]).to.deep.equal([3, 'MVSJ', 'PACKET', 1, 'Packet Trace']);
    expect(r.timeOfDayMicros).to.equal(((23 * 60 + 39) * 60 + 11) * 1e6 + 873541);
    expect(r.facts).to.deep.equal({
      direction: 'outbound',
      linkName: 'TR1',
      deviceName: 'LCS Token Ring',
      tracedLength: 56,
      abbreviated: false,
      todClockMicros: micros('2002-02-12T23:39:11Z', 873539),
      segmentNumber: 0,
      flagWords: ['Pkt', 'Ver2', 'Out'],
      sourcePort: 1025,
      destinationPort: 53,
      asid: 0x001e,
      tcb: 0x007f62c0,
      ipVersion: 4,
      ipPacketLength: 56,
      ipProtocolName: 'UDP',
      ipSource: '9.67.113.65',
      ipDestination: '9.37.80.3',
    });
    expect(recordKindOf(r)).to.equal('packet');
  });

  it("reads IBM's older layout: Lost Records, blank addresses, a hex dump after the header", () => {
    const r = parse(IBM_SNA_RECORD).records[0]!;
    expect(r.recordNumber).to.equal(19);
    expect(r.facts.linkName).to.equal('SNALU62L');
    expect(r.facts.deviceName).to.equal('SNA_LU6.2');
    expect(r.facts.lostRecords).to.equal(0);
    expect(r.facts.asid).to.equal(0x01f6);
    expect(r.facts.tcb).to.equal(0x007aee88);
    expect(r.facts.ipSource).to.equal(undefined);
    expect(r.facts.ipDestination).to.equal(undefined);
    expect(r.facts.segmentNumber).to.equal(undefined);
  });

  it("reads IBM's SYSTCPIS record; its Tod Clock is the contract's TOD vector 0xB88F32A50A3C7000", () => {
    const listing = parse(IBM_IDS_RECORD);
    expect(listing.records).to.have.length(1);
    const r = listing.records[0]!;
    expect([r.recordNumber, r.mnemonic, r.entryId]).to.deep.equal([4521, 'SCAN', 0x03030000]);
    expect(r.facts).to.include({
      direction: 'inbound',
      linkName: 'ETH1',
      deviceName: 'LCS Ethernet',
      tracedLength: 40,
      moduleName: 'EZBIPICM',
      idsJobName: 'TCPCS',
      asid: 0x01f7,
      tcb: 0,
      connectionId: 0,
      correlator: 10,
      policyRule: 'ScanEventIcmp-rule',
      ipSource: '9.42.105.71',
      ipDestination: '9.42.104.38',
    });
    const tod = stckToUnixTime(0xb88f32a5, 0x0a3c7000);
    expect(r.facts.todClockMicros).to.equal(tod.sec * 1e6 + Math.floor(tod.nsec / 1000));
    expect(recordKindOf(r)).to.equal('ids');
    const fields = evidenceOf(r).map((e) => `${e.header}.${e.field}`);
    expect(fields).to.include.members(['ids.correlator', 'ids.moduleName', 'ids.jobName', 'ids.policyRule', 'pthdr.linkName', 'pthdr.captureTime']);
  });

  it("reads IBM's data trace record: job name, socket facts, and no link name evidence", () => {
    const r = parse(IBM_DATA_RECORD).records[0]!;
    expect(r.entryId).to.equal(5);
    expect(r.facts).to.include({
      direction: 'outbound',
      dataJobName: 'USER12',
      tracedLength: 0,
      connectionId: 0x58,
      domainName: 'AF_Inet',
      socketTypeName: 'Stream',
      socketProtocolName: 'TCP',
      stateText: 'API Data Flow Starts',
      segmentNumber: 0,
    });
    expect(recordKindOf(r)).to.equal('data');
    const evidence = new Map(evidenceOf(r).map((e) => [`${e.header}.${e.field}`, e.expect]));
    expect(evidence.has('pthdr.linkName')).to.equal(false);
    // Contract §4: AF_INET 2, stream 1, TCP 6, data flow starts 1.
    expect(evidence.get('dataTrace.domain')).to.deep.equal({ kind: 'uint', value: 2 });
    expect(evidence.get('dataTrace.socketType')).to.deep.equal({ kind: 'uint', value: 1 });
    expect(evidence.get('dataTrace.protocol')).to.deep.equal({ kind: 'uint', value: 6 });
    expect(evidence.get('dataTrace.state')).to.deep.equal({ kind: 'uint', value: 1 });
  });

  it('names the line of a garbled value', () => {
    const garbled = IBM_PACKET_RECORD.replace('Tod Clock        : 2002/02/12 23:39:11.873539', 'Tod Clock        : 2002/02/12 23:3?:11.873539');
    const error = parseError(garbled);
    expect(error.code).to.equal('BAD_RECORD');
    expect(error.oneLine()).to.match(/^LISTING\.txt: line 4: Tod Clock "Tod Clock {8}: 2002\/02\/12 23:3\?:11\.873539" is not a date and time/);
    expect(parseError(IBM_PACKET_RECORD.replace('Asid: 001E', 'Asid: 0G1E')).message).to.match(/^line 6: Asid .* is not 1 to 4 hex digits/);
    expect(parseError(IBM_PACKET_RECORD.replace('23:39:11.873541 Packet', '23:39:1.873541 Packet')).message).to.match(/^line 2: summary line/);
  });

  it('refuses a file with no record, and says when it looks like EBCDIC', () => {
    expect(parseError('hello\nworld\n').message).to.match(/no CTRACE record found in 3 lines/);
    const ebcdic = Buffer.from([0xf3, 0x40, 0xd4, 0xe5, 0xe2, 0xd1, 0x40, 0xd7, 0xc1, 0xc3, 0xd2]).toString('latin1');
    expect(parseError(ebcdic).message).to.match(/looks like EBCDIC/);
  });

  it('strips ASA carriage control, taking the record number that continues the sequence', () => {
    const lines = (n: number, control: string) => `${control}${String(n).padStart(5)} MVS1     PACKET   00000004 10:00:00.000001 Packet Trace`;
    const text = [lines(9999, ' '), lines(10000, '1'), lines(10001, ' '), `1    4 MVS1     PACKET   00000004 10:00:00.000002 Packet Trace`].join('\n');
    expect(parse(text).records.map((r) => r.recordNumber)).to.deep.equal([9999, 10000, 10001, 4]);
  });

  it('reads a listing file, CRLF line ends included, and names a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zctrace-listing-'));
    try {
      const path = join(dir, 'LISTING.txt');
      writeFileSync(path, IBM_PACKET_RECORD.replaceAll('\n', '\r\n'), 'latin1');
      const listing = await readIpcsListing(path);
      expect(listing.records[0]!.facts.ipDestination).to.equal('9.37.80.3');
      const missing = join(dir, 'missing.txt');
      const error = await readIpcsListing(missing).then(
        () => null,
        (e: unknown) => e as ZctraceError,
      );
      expect(error?.code).to.equal('IO');
      expect(error?.file).to.equal(missing);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
