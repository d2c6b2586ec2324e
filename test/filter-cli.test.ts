/**
 * Filters end to end: for every option, the packets `convert` keeps are exactly those tshark's own display
 * filter selects from the unfiltered conversion of the same inputs (same times, same lengths); `info`
 * counts the same; `--contains` finds text sent in EBCDIC and in ASCII.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { tsharkFields } from './support/tshark.js';
import { buildMultiInputs, DISCARD_CODE, LOGON_TEXT, type MultiInputs } from './support/multi-input-fixture.js';
import { buildIdsEntry, IBM_IDS_ICMP, IBM_RECORD_4521 } from './support/ids-builder.js';
import { buildDataSet } from './support/trace-from-capture.js';

/** Identity of each packet as tshark reads it: time and length. */
function packetsOf(file: string, filter?: string): string[] {
  return tsharkFields(file, ['frame.time_epoch', 'frame.len'], filter === undefined ? {} : { filter }).map((row) => row.join(' '));
}

/** An IPCS-style hex string of text in EBCDIC IBM-1047, for a tshark byte filter: d3:d6:c7... */
const LOGON_EBCDIC_BYTES = 'd3:d6:c7:d6:d5:40:c1:d7:d7:d3:c9:c4';

describe('filters, checked against tshark', () => {
  let dir: string;
  let inputs: MultiInputs;
  let all: string;
  let sources: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-filter-'));
    inputs = await buildMultiInputs(dir);
    sources = [inputs.http, inputs.mixed, inputs.ethernet];
    all = join(dir, 'all.pcapng');
    const run = runCli(['convert', ...sources, '-o', all, '-q']);
    expect(run.status, run.stderr).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Converts with `options` and compares with tshark's `filter` on the unfiltered file. */
  function expectSameAsTshark(options: string[], filter: string, name: string): number {
    const out = join(dir, `${name}.pcapng`);
    const run = runCli(['convert', ...sources, '-o', out, ...options]);
    expect(run.status, run.stderr).to.equal(0);
    const expected = packetsOf(all, filter);
    expect(expected.length, `tshark keeps some packets for ${filter}`).to.be.greaterThan(0);
    expect(expected.length, `tshark leaves some packets out for ${filter}`).to.be.lessThan(packetsOf(all).length);
    expect(packetsOf(out)).to.deep.equal(expected);
    return expected.length;
  }

  const cases: [string, string[], string][] = [
    ['one IPv4 address at either end', ['--ip', '198.51.100.2'], 'ip.addr == 198.51.100.2'],
    ['an IPv4 network by prefix', ['--ip', '198.51.100.0/24'], 'ip.addr == 198.51.100.0/24'],
    ['an IPv4 network by dotted mask', ['--ip', '198.51.100.0/255.255.255.128'], 'ip.addr == 198.51.100.0/25'],
    ['an IPv6 network', ['--ip', '2001:db8:1::/48'], 'ipv6.addr == 2001:db8:1::/48'],
    ['two networks, either', ['--ip', '2001:db8:1::/48', '--ip', '198.51.100.2'], 'ipv6.addr == 2001:db8:1::/48 || ip.addr == 198.51.100.2'],
    // The port of the packet itself: an ICMP error quoting a UDP header is not a packet to that port.
    ['a port at either end', ['--port', '8000'], '(tcp.port == 8000 || udp.port == 8000) && !icmp && !icmpv6'],
    ['two ports, either', ['--port', '21', '--port', '30021'], 'tcp.port == 21 || tcp.port == 30021'],
    ['a protocol by name', ['--protocol', 'udp'], 'udp && !icmp && !icmpv6'],
    ['ICMP', ['--protocol', 'icmp'], 'icmp'],
    ['ICMPv6 and TCP by number', ['--protocol', 'icmpv6', '--protocol', '6'], 'icmpv6 || (tcp && !icmp && !icmpv6)'],
    ['a link by name', ['--link', 'OSAQDIO6'], 'frame.interface_name == "OSAQDIO6"'],
    ['links by wildcard, case ignored', ['--link', 'osaqdio*'], 'frame.interface_name matches "^OSAQDIO"'],
    ['discarded packets', ['--discarded'], `frame.comment contains "discard=${DISCARD_CODE}/"`],
    [
      'several options: all must hold',
      ['--ip', '198.51.100.1', '--protocol', 'tcp', '--port', '8000', '--link', 'OSAQDIO4'],
      'ip.addr == 198.51.100.1 && tcp.port == 8000 && frame.interface_name == "OSAQDIO4"',
    ],
    ['text in the payload', ['--contains', 'GET /'], 'tcp.payload contains "GET /"'],
  ];
  for (const [what, options, filter] of cases) {
    it(`${what}: ${options.join(' ')}`, () => {
      expectSameAsTshark(options, filter, what.replace(/\W+/g, '-'));
    });
  }

  it('--from/--to: UTC and local time with an offset, both ends included', () => {
    const epochs = tsharkFields(all, ['frame.time_epoch']).map(([t]) => t!.split('.') as [string, string]);
    // Bounds exactly on packets 100 and 300 (to the nanosecond), so "included" is tested; the second as
    // the local time of a site five hours behind UTC.
    const iso = ([sec, fraction]: [string, string], offsetHours: number): string =>
      `${new Date((Number(sec) + offsetHours * 3600) * 1000).toISOString().slice(0, 19)}.${fraction}`;
    const from = `${iso(epochs[99]!, 0)}Z`;
    const toLocal = `${iso(epochs[299]!, -5)}-05:00`;
    const out = join(dir, 'time.pcapng');
    const run = runCli(['convert', ...sources, '-o', out, '--from', from, '--to', toLocal]);
    expect(run.status, run.stderr).to.equal(0);
    expect(packetsOf(out)).to.deep.equal(packetsOf(all).slice(99, 300));
  });

  it('info says how many packets matched, the same count tshark gives', () => {
    const run = runCli(['info', inputs.http, '--port', '21', '--port', '30021', '--json']);
    expect(run.status, run.stderr).to.equal(0);
    const summary = JSON.parse(run.stdout) as { packets: number; filter: { description: string; matchedPackets: number } };
    expect(summary.filter.description).to.equal('port 21 or 30021');
    expect(summary.filter.matchedPackets).to.equal(packetsOf(all, 'tcp.port == 21 || tcp.port == 30021').length);
    expect(summary.packets).to.equal(inputs.counts.http);
    const text = runCli(['info', inputs.http, '--discarded']);
    expect(text.stdout).to.match(new RegExp(`^matched\\s+${Math.ceil((inputs.counts.http - 7) / 40)} of ${inputs.counts.http} packets$`, 'm'));
  });

  it('--contains finds text sent in EBCDIC and in ASCII, and nothing else', () => {
    const everything = join(dir, 'logon-all.pcapng');
    expect(runCli(['convert', inputs.logon, '-o', everything, '-q']).status).to.equal(0);
    const out = join(dir, 'logon.pcapng');
    const run = runCli(['convert', inputs.logon, '-o', out, '--contains', LOGON_TEXT]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/4 packets, 2 matched the filter/);
    const ebcdic = packetsOf(everything, `frame contains ${LOGON_EBCDIC_BYTES}`);
    const ascii = packetsOf(everything, `frame contains "${LOGON_TEXT}"`);
    expect([ebcdic.length, ascii.length]).to.deep.equal([1, 1]);
    expect(packetsOf(out)).to.deep.equal(packetsOf(everything, `frame contains ${LOGON_EBCDIC_BYTES} || frame contains "${LOGON_TEXT}"`));
  });

  it('IDS records: --probe, --correlator and --jobname select what the packet comments say', () => {
    const at = (ms: number) => ({ linkName: 'ETH1', captureTime: { sec: 1_037_813_912, nsec: 175_559_000 + ms * 1_000_000 } });
    const entries = [
      buildIdsEntry(IBM_RECORD_4521), // probe 03030000, correlator 10, job TCPCS
      buildIdsEntry({ probeId: 0x04010006, packet: IBM_IDS_ICMP, correlator: 11, jobName: 'TCPCS', fields: at(1) }),
      buildIdsEntry({ probeId: 0x03030000, packet: IBM_IDS_ICMP, correlator: 12, jobName: 'TCPIP2', fields: at(2) }),
      buildIdsEntry({ probeId: 0x03020002, packet: IBM_IDS_ICMP, correlator: 10, jobName: 'OMPROUTE', fields: at(3) }),
    ];
    const trace = join(dir, 'ids.bin');
    writeFileSync(trace, buildDataSet(entries, 'raw'));
    const everything = join(dir, 'ids.pcapng');
    expect(runCli(['convert', trace, '-o', everything, '-q']).status).to.equal(0);
    const cases: [string[], string][] = [
      [['--probe', '03030000'], 'frame.comment contains "ids=03030000"'],
      [['--probe', '4010006', '--probe', '0x03020002'], 'frame.comment contains "ids=04010006" || frame.comment contains "ids=03020002"'],
      [['--correlator', '10'], 'frame.comment matches "correlator=10( |$)"'],
      [['--jobname', 'tcp*'], 'frame.comment matches "job=TCP[^ ]*( |$)"'],
      [['--probe', '03030000', '--jobname', 'TCPCS'], 'frame.comment contains "ids=03030000" && frame.comment matches "job=TCPCS( |$)"'],
    ];
    for (const [options, filter] of cases) {
      const out = join(dir, 'ids-filtered.pcapng');
      const run = runCli(['convert', trace, '-o', out, ...options]);
      expect(run.status, run.stderr).to.equal(0);
      const expected = packetsOf(everything, filter);
      expect(expected.length, filter).to.be.within(1, entries.length - 1);
      expect(packetsOf(out), options.join(' ')).to.deep.equal(expected);
    }
  });

  it('a bad filter value is a one-line usage error, exit 2, and nothing is written', () => {
    const run = runCli(['convert', inputs.http, '-o', join(dir, 'bad.pcapng'), '--ip', '10.0.0.0/40']);
    expect(run.status).to.equal(2);
    expect(run.stderr.trim()).to.match(/^zctrace: --ip 10\.0\.0\.0\/40: mask "40"/);
  });
});
