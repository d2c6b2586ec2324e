/**
 * `zctrace list` end to end: every field of every JSON line checked against tshark's dissection of the
 * same packets (converted from the same inputs), the text form against the JSON, filters honoured, and
 * a reader that stops early (`| head`) ending the run quietly.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, PROJECT_ROOT } from './support/cli.js';
import { runTool, tsharkFields } from './support/tshark.js';
import { buildMultiInputs, type MultiInputs } from './support/multi-input-fixture.js';
import type { PacketSummary } from '../src/list/packet-summary.js';

/** tshark's TCP flag bits, lowest first, by the names list gives them. */
const TCP_FLAG_BITS: Record<string, number> = { FIN: 0x1, SYN: 0x2, RST: 0x4, PSH: 0x8, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80, AE: 0x100 };

const first = (cell: string | undefined): string => (cell ?? '').split(',')[0] ?? '';
const numberOrNull = (cell: string): number | null => (cell === '' ? null : Number(cell));

describe('zctrace list', () => {
  let dir: string;
  let inputs: MultiInputs;
  let sources: string[];
  let all: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-list-'));
    inputs = await buildMultiInputs(dir);
    sources = [inputs.http, inputs.mixed, inputs.ethernet];
    all = join(dir, 'all.pcapng');
    expect(runCli(['convert', ...sources, '-o', all, '-q']).status).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function listJson(args: string[]): PacketSummary[] {
    const run = runCli(['list', ...args, '--json', '-q']);
    expect(run.status, run.stderr).to.equal(0);
    return run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as PacketSummary);
  }

  it('--json: one object per packet whose fields are what tshark reads from the same packets', () => {
    const rows = listJson(sources);
    const fields = [
      'frame.time_epoch', 'frame.interface_name', 'frame.packet_flags_direction', 'frame.len', 'frame.cap_len',
      'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'ip.id', 'tcp.srcport', 'udp.srcport', 'tcp.dstport', 'udp.dstport',
      'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.window_size_value', 'tcp.len', 'udp.length', 'icmp.type', 'icmp.code',
      'icmpv6.type', 'icmpv6.code', 'frame.comment',
    ];
    const expected = tsharkFields(all, fields);
    expect(rows).to.have.length(expected.length);
    rows.forEach((row, i) => {
      const [epoch, link, direction, frameLen, capLen, v4src, v6src, v4dst, v6dst, ipId, tcpSrc, udpSrc, tcpDst, udpDst, flags, seq, ack, win, tcpLen, udpLen, icmpType, icmpCode, icmp6Type, icmp6Code, comment] =
        expected[i]!.map(first);
      const at = `packet ${i + 1}: ${JSON.stringify(row)}`;
      const [sec, fraction] = epoch!.split('.');
      expect(row.time, at).to.equal(`${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${fraction}Z`);
      expect(row.link, at).to.equal(link);
      expect(row.direction, at).to.equal(['unknown', 'inbound', 'outbound'][Number(direction || 0)]);
      expect([row.length, row.captured], at).to.deep.equal([Number(frameLen), Number(capLen)]);
      expect([row.source, row.destination], at).to.deep.equal([v4src || v6src, v4dst || v6dst]);
      expect(row.ipId, at).to.equal(numberOrNull(ipId!));
      const isTcp = row.protocol === 6;
      const isUdp = row.protocol === 17;
      expect([row.sourcePort, row.destinationPort], at).to.deep.equal(isTcp ? [Number(tcpSrc), Number(tcpDst)] : isUdp ? [Number(udpSrc), Number(udpDst)] : [null, null]);
      if (isTcp) {
        expect(row.tcpFlags!.reduce((bits, name) => bits | TCP_FLAG_BITS[name]!, 0), at).to.equal(Number(flags));
        expect([row.seq, row.ack, row.window, row.payloadLength], at).to.deep.equal([Number(seq), Number(ack), Number(win), Number(tcpLen)]);
      } else {
        expect([row.tcpFlags, row.seq, row.ack, row.window], at).to.deep.equal([null, null, null, null]);
      }
      if (isUdp) expect(row.payloadLength, at).to.equal(Number(udpLen) - 8);
      const icmp = row.protocol === 1 ? [icmpType, icmpCode] : row.protocol === 58 ? [icmp6Type, icmp6Code] : ['', ''];
      expect([row.icmpType, row.icmpCode], at).to.deep.equal(icmp.map((v) => numberOrNull(v!)));
      // CTRACE packets: the record number and discard reason the packet comment carries; pcap input: the frame number.
      if (row.component === null) {
        expect(row.input, at).to.equal(inputs.ethernet);
      } else {
        expect(`rec=${row.record}`, at).to.equal(/rec=\d+/.exec(comment!)?.[0]);
        expect(row.discard === null ? null : `discard=${row.discard.code}/${row.discard.name}`, at).to.equal(/discard=\S+/.exec(comment!)?.[0] ?? null);
      }
    });
    // pcap frames are numbered as in the file: tshark's frame numbers of that file.
    const pcapFrames = rows.filter((r) => r.component === null).map((r) => r.record);
    expect(pcapFrames).to.deep.equal(tsharkFields(inputs.ethernet, ['frame.number']).map(([n]) => Number(n)));
  });

  it('honours the filters: the same packets as convert keeps with the same options', () => {
    const rows = listJson([...sources, '--ip', '2001:db8::/32', '--protocol', 'tcp']);
    const converted = join(dir, 'filtered.pcapng');
    expect(runCli(['convert', ...sources, '-o', converted, '--ip', '2001:db8::/32', '--protocol', 'tcp', '-q']).status).to.equal(0);
    const expected = tsharkFields(converted, ['frame.time_epoch', 'ipv6.src']);
    expect(rows.length).to.be.greaterThan(0);
    expect(rows.map((r) => [r.time.slice(20, 29), r.source])).to.deep.equal(expected.map(([t, src]) => [t!.split('.')[1], src]));
  });

  it('text: a heading, an input legend, and one line per packet with the JSON line’s facts in columns', () => {
    const run = runCli(['list', inputs.http, inputs.mixed, '--port', '53', '-q']);
    expect(run.status, run.stderr).to.equal(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 3)).to.deep.equal([`#  1 = ${inputs.http}`, `#  2 = ${inputs.mixed}`, lines[2]]);
    expect(lines[2]).to.match(/^IN\s+REC TIME \(UTC\)\s+D LINK\s+PROTO\s+SOURCE\s+DESTINATION\s+FLAGS\s+SEQ\s+ACK\s+WIN\s+LEN\s+DATA NOTES$/);
    const rows = listJson([inputs.http, inputs.mixed, '--port', '53']);
    expect(lines.slice(3)).to.have.length(rows.length);
    lines.slice(3).forEach((line, i) => {
      const r = rows[i]!;
      const [input, record, time, direction, link, protocol, source, destination] = line.trim().split(/\s+/);
      const endpoint = (address: string | null, port: number | null): string => (address!.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
      expect([input, record, time, direction, link, protocol, source, destination]).to.deep.equal([
        r.input === inputs.http ? '1' : '2',
        String(r.record),
        r.time,
        r.direction === 'inbound' ? 'I' : 'O',
        r.link,
        r.protocolName,
        endpoint(r.source, r.sourcePort),
        endpoint(r.destination, r.destinationPort),
      ]);
    });
  });

  it('marks discarded packets in the text form', () => {
    const run = runCli(['list', inputs.http, '--discarded', '-q']);
    const lines = run.stdout.trimEnd().split('\n').slice(1);
    expect(lines.length).to.be.greaterThan(0);
    for (const line of lines) expect(line).to.match(/ discard=4114\/IP_MAC_BRDCST$/);
  });

  it('a reader that stops early (| head) ends the run quietly with exit 0', () => {
    const cli = join(PROJECT_ROOT, 'src/cli.ts');
    const script = `"${process.execPath}" --import tsx "${cli}" list "${inputs.http}" "${inputs.http}" "${inputs.http}" "${inputs.http}" --json -q | head -n 1; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const run = runTool('bash', ['-c', script]);
    expect(run.stdout.split('\n').filter((l) => l !== '')).to.have.length(1);
    expect(run.stderr).to.equal('exit=0');
  });
});
