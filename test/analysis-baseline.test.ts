/**
 * Negative controls (scenarios.md): a normal FTP session and the published "good PASV" exchange must
 * produce no finding of warning or error severity. tshark confirms, independently, that the packets are
 * clean: its expert info has no warnings or errors for them.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { type BuiltFrame, type SegmentSpec, TcpConversation, TcpOption, writePcap } from './support/tcp-frame-builder.js';
import { analyze, packetsOf, seriousFindings } from './support/analysis-packets.js';
import { tsharkExpert } from './support/tshark.js';
import { LinkType } from '../src/capture/link-types.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const IP_AND_TCP_HEADERS = 40;

/** Adds a segment carrying `text` (CRLF-terminated lines) as its payload. */
function say(c: TcpConversation, spec: Omit<SegmentSpec, 'length' | 'flags'> & { flags?: string }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  c.add({ flags: 'PA', ...spec, length: bytes.length });
  const frame = c.frames[c.frames.length - 1]!;
  frame.data.set(bytes, frame.data.length - bytes.length);
}

/** scenarios.md "Normal FTP session (baseline)": MSS 536 + SACK OK, banner, USER/PASS/TYPE/PORT, data from port 20, FIN both ways. */
function normalFtpSession(): BuiltFrame[] {
  const client = { address: '137.72.43.137', port: 10432 };
  const server = { address: '137.72.43.207', port: 21 };
  const options = [...TcpOption.mss(536), 1, 1, ...TcpOption.sackPermitted()];
  const ctl = new TcpConversation(client, server);
  let c = 1257181311;
  let s = 452077195;
  ctl.add({ from: 'a', atMs: 0, flags: 'S', seq: c, options });
  ctl.add({ from: 'b', atMs: 1, flags: 'SA', seq: s, ack: c + 1, options });
  c += 1;
  s += 1;
  ctl.add({ from: 'a', atMs: 2, flags: 'A', seq: c, ack: s });
  const exchange = (atMs: number, command: string, reply: string): void => {
    say(ctl, { from: 'a', atMs, seq: c, ack: s }, command);
    c += command.length;
    say(ctl, { from: 'b', atMs: atMs + 5, seq: s, ack: c }, reply);
    s += reply.length;
    ctl.add({ from: 'a', atMs: atMs + 40, flags: 'A', seq: c, ack: s });
  };
  say(ctl, { from: 'b', atMs: 100, seq: s, ack: c }, '220 FTPD1 IBM FTP CS at MVS, ready.\r\n');
  s += 37;
  ctl.add({ from: 'a', atMs: 140, flags: 'A', seq: c, ack: s });
  exchange(1000, 'USER alice\r\n', '331 Send password please.\r\n');
  exchange(2000, 'PASS secret\r\n', '230 ALICE is logged on.\r\n');
  exchange(3000, 'TYPE I\r\n', '200 Representation type is Image\r\n');
  exchange(4000, 'PORT 137,72,43,137,40,196\r\n', '200 Port request OK.\r\n');
  say(ctl, { from: 'a', atMs: 4100, seq: c, ack: s }, 'RETR data.bin\r\n');
  c += 15;
  say(ctl, { from: 'b', atMs: 4105, seq: s, ack: c }, '125 Sending data set data.bin\r\n');
  s += 31;

  const data = new TcpConversation({ address: '137.72.43.207', port: 20 }, { address: '137.72.43.137', port: 10436 });
  let d = 3598481055;
  let k = 1803247841;
  data.add({ from: 'a', atMs: 4110, flags: 'S', seq: d, options });
  data.add({ from: 'b', atMs: 4111, flags: 'SA', seq: k, ack: d + 1, options });
  d += 1;
  k += 1;
  data.add({ from: 'a', atMs: 4112, flags: 'A', seq: d, ack: k });
  for (let i = 0; i < 6; i++) {
    data.add({ from: 'a', atMs: 4113 + i * 2, flags: 'A', seq: d, ack: k, length: 536 });
    d += 536;
    if (i % 2 === 1) data.add({ from: 'b', atMs: 4114 + i * 2, flags: 'A', seq: k, ack: d });
  }
  data.add({ from: 'a', atMs: 4130, flags: 'FA', seq: d, ack: k });
  data.add({ from: 'b', atMs: 4131, flags: 'A', seq: k, ack: d + 1 });
  data.add({ from: 'b', atMs: 4132, flags: 'FA', seq: k, ack: d + 1 });
  data.add({ from: 'a', atMs: 4133, flags: 'A', seq: d + 1, ack: k + 1 });

  say(ctl, { from: 'b', atMs: 4140, seq: s, ack: c }, '250 Transfer completed successfully.\r\n');
  s += 38;
  ctl.add({ from: 'a', atMs: 4180, flags: 'A', seq: c, ack: s });
  exchange(5000, 'QUIT\r\n', '221 Quit command received. Goodbye.\r\n');
  ctl.add({ from: 'b', atMs: 5100, flags: 'FA', seq: s, ack: c });
  ctl.add({ from: 'a', atMs: 5101, flags: 'A', seq: c, ack: s + 1 });
  ctl.add({ from: 'a', atMs: 5102, flags: 'FA', seq: c, ack: s + 1 });
  ctl.add({ from: 'b', atMs: 5103, flags: 'A', seq: s + 1, ack: c + 1 });
  return [...ctl.frames, ...data.frames].sort((x, y) => x.timeSec - y.timeSec || x.timeNsec - y.timeNsec);
}

/** exception-catalog E.4 "FTP Analysis – a Good PASV": sizes, seq, ack and windows as published. */
function goodPasv(): BuiltFrame[] {
  const ctl = new TcpConversation({ address: '137.72.43.137', port: 21157 }, { address: '137.72.43.207', port: 21 }, 1_236_048_136);
  const data = new TcpConversation({ address: '137.72.43.137', port: 21158 }, { address: '137.72.43.207', port: 3679 }, 1_236_048_136);
  const at = (tttt: number): number => tttt / 10; // "02:42:16:2097" → 209.7 ms into the second
  say(ctl, { from: 'a', atMs: at(2097), seq: 3883430947, ack: 617330248, window: 64154 }, 'TYPE I\r\n');
  say(ctl, { from: 'b', atMs: at(2136), seq: 617330248, ack: 3883430955, window: 32760 }, '200 Representation type is Image\r\n'.padEnd(83 - IP_AND_TCP_HEADERS - 2, ' ') + '\r\n');
  say(ctl, { from: 'a', atMs: at(2142), seq: 3883430955, ack: 617330291, window: 64143 }, 'PASV\r\n');
  say(ctl, { from: 'b', atMs: at(2207), seq: 617330291, ack: 3883430961, window: 32762 }, '227 Entering Passive Mode (137,72,43,207,14,95)\r\n');
  say(ctl, { from: 'a', atMs: at(2223), seq: 3883430961, ack: 617330340, window: 64131 }, 'LIST\r\n');
  data.add({ from: 'a', atMs: at(2234), flags: 'S', seq: 3534575276, window: 65535, options: [...TcpOption.mss(1460), 1, 1, ...TcpOption.sackPermitted()] });
  data.add({ from: 'b', atMs: at(2331), flags: 'SA', seq: 617396255, ack: 3534575277, window: 32768, options: TcpOption.mss(1460) });
  data.add({ from: 'a', atMs: at(2331) + 0.01, flags: 'A', seq: 3534575277, ack: 617396256, window: 64240 });
  say(ctl, { from: 'b', atMs: at(2799), seq: 617330340, ack: 3883430967, window: 32762 }, '125 List started OK\r\n');
  ctl.add({ from: 'a', atMs: at(4079), flags: 'A', seq: 3883430967, ack: 617330361, window: 64126 });
  data.add({ from: 'b', atMs: at(4465), flags: 'A', seq: 617396256, ack: 3534575277, window: 32768, length: 1460 });
  data.add({ from: 'b', atMs: at(4467), flags: 'PA', seq: 617397716, ack: 3534575277, window: 32768, length: 1417 });
  data.add({ from: 'a', atMs: at(4468), flags: 'A', seq: 3534575277, ack: 617399133, window: 63520 });
  data.add({ from: 'a', atMs: at(4468) + 0.01, flags: 'A', seq: 3534575277, ack: 617399133, window: 64240 });
  data.add({ from: 'b', atMs: at(4491), flags: 'FPA', seq: 617399133, ack: 3534575277, window: 32768 });
  data.add({ from: 'a', atMs: at(4493), flags: 'A', seq: 3534575277, ack: 617399134, window: 64240 });
  data.add({ from: 'a', atMs: at(4495), flags: 'FA', seq: 3534575277, ack: 617399134, window: 64240 });
  data.add({ from: 'b', atMs: at(4524), flags: 'PA', seq: 617399134, ack: 3534575278, window: 32768 });
  return [...ctl.frames, ...data.frames].sort((x, y) => x.timeSec - y.timeSec || x.timeNsec - y.timeNsec);
}

describe('analysis: normal traffic is not an exception', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'zctrace-baseline-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, build] of [
    ['a normal FTP session (login, PORT, data from port 20, orderly close)', normalFtpSession],
    ['the published good PASV exchange', goodPasv],
  ] as const) {
    it(`${name}: no warning or error`, function () {
      const frames = build();
      const report = analyze(packetsOf(frames));
      expect(seriousFindings(report)).to.deep.equal([]);
      expect(report.overview.findingsBySeverity).to.include({ error: 0, warning: 0 });
      if (HAVE_TSHARK) {
        const file = join(dir, `${build.name}.pcap`);
        writePcap(file, LinkType.RAW, frames);
        const expert = tsharkExpert(file);
        expect(expert.errors + expert.warnings, expert.text).to.equal(0);
      }
    });
  }

  it('the normal FTP session closes both connections normally (SF) and lists them', () => {
    const report = analyze(packetsOf(normalFtpSession()));
    expect(report.connections.rows.map((r) => [r.responder, r.state])).to.have.deep.members([
      ['137.72.43.207:21', 'SF'],
      ['137.72.43.137:10436', 'SF'],
    ]);
    expect(report.connectionStates).to.deep.equal({ SF: 2 });
  });
});
