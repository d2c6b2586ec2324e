/**
 * `zctrace convert` on a SYSTCPDA data set that mixes packet trace (format 4) and data trace (format 5):
 * the real FTP control session of test/fixtures/real-tcp-ipv4.pcap as the server's packet trace, and as the
 * socket data its job FTPD1 sent and received (plain, AT-TLS clear text, AT-TLS confidential). Wireshark's
 * own tools are the judges: tshark must dissect the synthesized headers without complaint, verify their
 * checksums, and `-z follow,tcp,ascii` must give back the FTP dialog each way, byte for byte.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { capinfos, runTool, assertReadClean, tsharkExpert, tsharkFields } from './support/tshark.js';
import { buildDataSet } from './support/trace-from-capture.js';
import { dataTraceSample, FTP_JOB, type DataTraceSample, type SampleConnection } from './support/data-trace-samples.js';

const SOCKET_INTERFACE = `socket data (job ${FTP_JOB})`;
const ON_SOCKET_INTERFACE = `frame.interface_name == "${SOCKET_INTERFACE}"`;
const latin1 = (parts: Uint8Array[]): string => parts.map((p) => Buffer.from(p).toString('latin1')).join('');

interface FollowedStream {
  /** "address:port" of each node, as tshark prints it. */
  nodes: [string, string];
  /** Everything each node sent, concatenated. */
  sent: [string, string];
}

/**
 * Parses `tshark -q -z follow,tcp,ascii,N`: after the two Node lines, chunks of "<len>\n<len chars>\n",
 * the length indented by a tab for node 1.
 */
function follow(file: string, stream: number): FollowedStream {
  const run = runTool('tshark', ['-r', file, '-q', '-z', `follow,tcp,ascii,${stream}`]);
  assertReadClean(run, 'tshark follow');
  const text = run.stdout;
  const node0 = /^Node 0: (.*)$/m.exec(text)?.[1];
  const node1 = /^Node 1: (.*)$/m.exec(text)?.[1];
  if (node0 === undefined || node1 === undefined) throw new Error(`no follow header in: ${text}`);
  let at = text.indexOf('\n', text.indexOf('Node 1: ')) + 1;
  const sent: [string, string] = ['', ''];
  for (;;) {
    const chunk = /^(\t?)(\d+)\n/.exec(text.slice(at, at + 16));
    if (chunk === null) break;
    at += chunk[0].length;
    const length = Number(chunk[2]);
    sent[chunk[1] === '\t' ? 1 : 0] += text.slice(at, at + length);
    at += length + 1;
  }
  expect(text.slice(at), 'follow output fully read').to.match(/^=+\s*$/);
  return { nodes: [node0, node1], sent };
}

describe('data trace end to end: packet trace and socket data in one conversion', function () {
  let dir: string;
  let sample: DataTraceSample;
  let output: string;
  let input: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-datatrace-'));
    sample = await dataTraceSample();
    input = join(dir, 'ftpd1.bin');
    output = join(dir, 'ftpd1.pcapng');
    writeFileSync(input, buildDataSet(sample.entries, 'rdw'));
    const run = runCli(['convert', input, '-o', output, '-q']);
    expect(run.status, run.stderr).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function connection(tls: SampleConnection['tls']): SampleConnection {
    return sample.connections.find((c) => c.tls === tls)!;
  }

  /** The tcp.stream of a socket connection, found by its client port on the socket data interface. */
  function socketStream(c: SampleConnection): number {
    const streams = new Set(tsharkFields(output, ['tcp.stream'], { filter: `${ON_SOCKET_INTERFACE} && tcp.port == ${c.clientPort}` }).map((row) => row[0]));
    expect(streams.size, 'one TCP stream per socket connection').to.equal(1);
    return Number([...streams][0]);
  }

  it('every record becomes a packet: the packet trace on its link, the socket data on a "socket data (job FTPD1)" interface', () => {
    const facts = capinfos(output);
    expect(Number(facts.get('Number of packets'))).to.equal(sample.packetRecords + sample.dataRecords);
    const byInterface = new Map<string, { description: string; formats: Set<string>; packets: number }>();
    for (const [name = '', description = '', comment = ''] of tsharkFields(output, ['frame.interface_name', 'frame.interface_description', 'frame.comment'])) {
      const row = byInterface.get(name) ?? { description, formats: new Set<string>(), packets: 0 };
      row.formats.add(/ fmt=(\d+)/.exec(comment)?.[1] ?? '?');
      row.packets++;
      byInterface.set(name, row);
    }
    expect([...byInterface.keys()]).to.have.members(['OSAQDIO4', SOCKET_INTERFACE]);
    expect([...byInterface.get('OSAQDIO4')!.formats]).to.deep.equal(['4']);
    const socket = byInterface.get(SOCKET_INTERFACE)!;
    expect([...socket.formats]).to.deep.equal(['5']);
    expect(socket.packets).to.equal(sample.dataRecords);
    expect(socket.description).to.match(/^socket data \(job FTPD1\)/).and.to.include('not wire traffic');
  });

  it('each socket packet says in its comment that it is socket data, with job, connection ID and state', () => {
    const comments = tsharkFields(output, ['frame.comment'], { filter: ON_SOCKET_INTERFACE }).map((row) => row[0]!);
    for (const comment of comments) expect(comment).to.match(/ data=socket job=FTPD1 sock=AF_INET,stream,TCP cid=0000ABC[DEF] state=(start|data|end)( tls=(clear|confidential))?( withheld=\d+)?$/);
    expect(comments.filter((c) => c.includes('state=start'))).to.have.length(3);
    expect(comments.filter((c) => c.includes('state=end'))).to.have.length(3);
  });

  it('tshark finds nothing wrong with the synthesized headers: checksums verify, no expert warnings or errors', () => {
    const rows = tsharkFields(output, ['ipv6.nxt', 'tcp.checksum.status'], { filter: ON_SOCKET_INTERFACE, prefs: { 'tcp.check_checksum': 'TRUE' } });
    const segments = rows.filter(([next]) => next === '6');
    expect(segments.length).to.be.greaterThan(30);
    for (const [, status] of segments) expect(status, 'tcp.checksum.status 1 = good').to.equal('1');
    const expert = tsharkExpert(output);
    expect([expert.errors, expert.warnings], expert.text).to.deep.equal([0, 0]);
    // Notes too, on the socket data alone and with checksums checked: only the FIN's "connection closing".
    const notes = runTool('tshark', ['-r', output, '-o', 'tcp.check_checksum:TRUE', '-q', '-z', `expert,note,${ON_SOCKET_INTERFACE}`]);
    assertReadClean(notes, 'tshark -z expert');
    const summaries = [...notes.stdout.matchAll(/^\s+\d+\s+\S+\s+\S+\s+(.+)$/gm)].map((m) => m[1]!.trim());
    expect(summaries.filter((s) => s !== 'This frame initiates the connection closing'), notes.stdout).to.deep.equal([]);
  });

  for (const tls of ['none', 'clear'] as const) {
    it(`follow,tcp gives back what FTPD1 sent and received, each way (${tls === 'none' ? 'plain socket' : 'AT-TLS clear text'})`, () => {
      const c = connection(tls);
      const followed = follow(output, socketStream(c));
      const server = followed.nodes.findIndex((node) => node.endsWith(':21'));
      expect(server, followed.nodes.join(' / ')).to.be.oneOf([0, 1]);
      expect(followed.nodes[1 - server]).to.match(new RegExp(`:${c.clientPort}$`));
      expect(followed.sent[server]).to.equal(latin1(c.serverSent));
      expect(followed.sent[1 - server]).to.equal(latin1(c.clientSent));
      expect(followed.sent[server]).to.match(/^220 .*\r\n331 /).and.to.include('221 Goodbye\r\n');
      expect(followed.sent[1 - server]).to.match(/^USER anonymous\r\nPASS /).and.to.include('QUIT\r\n');
    });
  }

  it('AT-TLS confidential records carry no data and say how much was withheld', () => {
    const c = connection('confidential');
    const rows = tsharkFields(output, ['frame.comment', 'ipv6.plen', 'tcp.len'], { filter: `${ON_SOCKET_INTERFACE} && frame.comment contains "cid=0000ABCF"` });
    const withheld = rows.map(([comment]) => Number(/ withheld=(\d+)$/.exec(comment!)?.[1] ?? 0)).filter((n) => n > 0);
    const lengths = [...c.serverSent, ...c.clientSent].map((p) => p.length);
    expect(withheld.sort((a, b) => a - b)).to.deep.equal(lengths.sort((a, b) => a - b));
    for (const [comment, plen, tcpLength] of rows) {
      expect(comment).to.include('tls=confidential');
      // Only the flow end is a TCP segment (an empty FIN); the rest are the addresses alone.
      expect(comment!.includes('state=end') ? tcpLength : plen, comment).to.equal('0');
    }
    expect(follow(output, socketStream(c)).sent).to.deep.equal(['', '']);
  });

  it('zctrace info counts the data trace records by format', () => {
    const run = runCli(['info', input]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(new RegExp(`5 \\(PTHIdDat\\)\\s+${sample.dataRecords}\\b`));
    expect(run.stdout).to.match(new RegExp(`4 \\(PTHIdPkt\\)\\s+${sample.packetRecords}\\b`));
    expect(run.stdout).to.match(/socketConfidentialRecords\s+16\b/);
  });
});
