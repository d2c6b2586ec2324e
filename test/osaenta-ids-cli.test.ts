/**
 * `zctrace convert` end to end for SYSTCPOT (OSAENTA) and SYSTCPIS (IDS) data sets, read back with
 * tshark and capinfos: Ethernet frames with VLAN tags and ARP, OSA discards and device ID, ABBREV lengths;
 * IBM's IDS record 4521 (contract §9) and the IDS scan and malformed-packet cases of the scenarios spec.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { capinfos, tsharkExpert, tsharkFields } from './support/tshark.js';
import { readCaptureFile, type CapturedFrame } from '../src/capture/capture-file-reader.js';
import { buildDataSet, readFrames } from './support/trace-from-capture.js';
import { buildIdsEntry, IBM_RECORD_4521 } from './support/ids-builder.js';
import { withVlanTag, abbrevLength, buildOsaentaEntry } from './support/osaenta-builder.js';
import { IDS_MALFORMED, IDS_SCAN, OSA_SAMPLE, idsSample, osaentaSample } from './support/component-samples.js';

const FIXTURE = new URL('./fixtures/real-mixed.pcap', import.meta.url).pathname;
const ETHERTYPE_IPV6 = 0x86dd;

async function outputFrames(path: string): Promise<CapturedFrame[]> {
  const frames: CapturedFrame[] = [];
  for await (const frame of readCaptureFile(path)) frames.push({ ...frame, data: frame.data.slice() });
  return frames;
}

describe('zctrace convert: OSAENTA and IDS traces, end to end', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-osa-ids-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function convert(name: string, bytes: Uint8Array): string {
    const input = join(dir, `${name}.bin`);
    const output = join(dir, `${name}.pcapng`);
    writeFileSync(input, bytes);
    const run = runCli(['convert', input, '-o', output, '-q']);
    expect(run.status, run.stderr).to.equal(0);
    return output;
  }

  describe('OSAENTA: real frames with VLAN tags, ARP, discards and ABBREV', () => {
    let output: string;
    let fixture: CapturedFrame[];
    before(async () => {
      output = convert('osaenta', await osaentaSample());
      fixture = await readFrames(FIXTURE);
    });

    it('is one Ethernet interface named after the OSA port, holding every frame plus the ARP exchange', () => {
      const facts = capinfos(output);
      expect(facts.get('File encapsulation')).to.equal('ether');
      expect(facts.get('Number of packets')).to.equal(String(fixture.length + 2));
      expect(facts.get('Interface #0 Name')).to.equal(OSA_SAMPLE.port);
    });

    it('tshark sees the VLAN tags, the inner EtherTypes and the ARP request and reply', () => {
      const rows = tsharkFields(output, ['vlan.id', 'vlan.etype', 'arp.opcode', 'arp.src.proto_ipv4', 'eth.type']);
      expect(rows.slice(0, 2).map((r) => [r[0], r[1], r[2], r[3]])).to.deep.equal([
        ['100', '0x0806', '1', OSA_SAMPLE.localIp],
        ['100', '0x0806', '2', OSA_SAMPLE.peerIp],
      ]);
      rows.slice(2).forEach(([vlan, etype, , , outer], i) => {
        const v6 = ((fixture[i]!.data[12]! << 8) | fixture[i]!.data[13]!) === ETHERTYPE_IPV6;
        expect([vlan, etype, outer], `frame ${i + 3}`).to.deep.equal([String(v6 ? OSA_SAMPLE.ipv6Vlan : OSA_SAMPLE.ipv4Vlan), v6 ? '0x86dd' : '0x0800', '0x8100']);
      });
    });

    it('frames are the captured ones with their tag; ABBREV frames keep their length on the wire', async () => {
      const back = await outputFrames(output);
      const rows = tsharkFields(output, ['frame.len', 'frame.cap_len']);
      fixture.forEach((frame, i) => {
        const tagged = withVlanTag(frame.data, 0);
        const v6 = ((frame.data[12]! << 8) | frame.data[13]!) === ETHERTYPE_IPV6;
        const traced = v6 ? Math.min(tagged.length, abbrevLength(OSA_SAMPLE.abbrev)) : tagged.length;
        const out = back[i + 2]!;
        // Compare all but the tag's VLAN ID bytes, then the lengths tshark reads.
        expect(Buffer.from(out.data.subarray(0, 14)).equals(Buffer.from(tagged.subarray(0, 14))), `frame ${i + 3} header`).to.equal(true);
        expect(Buffer.from(out.data.subarray(16)).equals(Buffer.from(tagged.subarray(16, traced))), `frame ${i + 3} bytes`).to.equal(true);
        expect(rows[i + 2], `frame ${i + 3} lengths`).to.deep.equal([String(tagged.length), String(traced)]);
      });
      expect(rows.filter(([len, cap]) => len !== cap).length).to.be.greaterThan(5);
    });

    it('no expert warnings or errors: truncated frames do not fake lost segments', () => {
      const expert = tsharkExpert(output);
      expect([expert.errors, expert.warnings], expert.text).to.deep.equal([0, 0]);
    });

    it('the OSA discard codes and the device ID are in the packet comments', () => {
      const comments = tsharkFields(output, ['frame.comment']).map(([c]) => c ?? '');
      expect(comments.every((c) => / osa_device=00-01-00-02$/.test(c))).to.equal(true);
      // Output packet i (0-based) is fixture frame i - 1 (1-based): the two ARP frames come first.
      const discarded = comments.map((c, i) => [i - 1, /discard=(\d+)\/OSA-Express/.exec(c)?.[1]]).filter(([, code]) => code !== undefined);
      expect(discarded).to.deep.equal([...OSA_SAMPLE.discards].map(([frameNumber, code]) => [frameNumber, String(code)]));
    });
  });

  it('OSAENTA: an entry whose frame type field is implausible is skipped as damage, the rest convert', async () => {
    const fixture = await readFrames(FIXTURE);
    const bad = fixture[1]!.data.slice();
    new DataView(bad.buffer).setUint16(12, 1520);
    const entries = [fixture[0]!.data, bad, fixture[2]!.data].map((frame) => buildOsaentaEntry({ frame, fields: { linkName: OSA_SAMPLE.port } }));
    const output = convert('osaenta-damaged', buildDataSet(entries, 'rdw'));
    expect(capinfos(output).get('Number of packets')).to.equal('2');
    const info = runCli(['info', join(dir, 'osaenta-damaged.bin')]);
    expect(info.stdout).to.match(/^entries\s+2$/m);
    // The rejected entry's bytes are skipped: its zero runs count as fill, the rest as damage.
    expect(Number(/damaged, skipped: (\d+) bytes/.exec(info.stdout)?.[1])).to.be.greaterThan(0);
  });

  describe("IDS: IBM's record 4521 (contract §9)", () => {
    let output: string;
    before(() => {
      output = convert('ids-4521', buildDataSet([buildIdsEntry(IBM_RECORD_4521)], 'rdw'));
    });

    it('the ICMP echo request with good checksums, at 2002/11/20 17:38:32.175559, on link ETH1', () => {
      const rows = tsharkFields(output, ['frame.time_epoch', 'frame.interface_name', 'ip.src', 'ip.dst', 'ip.ttl', 'icmp.type', 'icmp.ident', 'ip.checksum.status', 'icmp.checksum.status'], {
        prefs: { 'ip.check_checksum': 'TRUE' },
      });
      expect(rows).to.deep.equal([['1037813912.175559000', 'ETH1', '9.42.105.71', '9.42.104.38', '62', '8', String(0x0b3f), '1', '1']]);
    });

    it('the comment carries the ASID, probe, correlator and policy rule', () => {
      const [[comment]] = tsharkFields(output, ['frame.comment']) as [[string]];
      expect(comment).to.match(/ asid=01F7 /);
      expect(comment).to.contain(' ids=03030000 type=scan level=normal correlator=10 rule=ScanEventIcmp-rule');
    });

    it('zctrace info names the probe', () => {
      const run = runCli(['info', join(dir, 'ids-4521.bin')]);
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/03030000 \(scan, normal packet \(ICMP\)\)\s+1/);
    });
  });

  describe('IDS: the scan and malformed-packet cases', () => {
    let output: string;
    before(() => {
      output = convert('ids-scan', idsSample());
    });

    it('one SYN per port from the scanner, same sequence number, window 1024, MSS 1460, TTL 34; then its RST', () => {
      const rows = tsharkFields(output, ['ip.src', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.reset', 'tcp.seq_raw', 'tcp.window_size_value', 'tcp.options.mss_val', 'ip.ttl', 'tcp.checksum.status'], {
        prefs: { 'tcp.check_checksum': 'TRUE' },
      });
      const scan = rows.slice(0, IDS_SCAN.ports.length);
      expect(scan.map((r) => Number(r[1]))).to.deep.equal([...IDS_SCAN.ports]);
      for (const [src, , syn, rst, seq, window, mss, ttl, checksum] of scan) {
        expect([src, syn, rst, seq, window, mss, ttl, checksum]).to.deep.equal([IDS_SCAN.scanner, '1', '0', String(IDS_SCAN.seq), '1024', '1460', '34', '1']);
      }
      const reset = rows[IDS_SCAN.ports.length]!;
      expect([reset[0], reset[3], reset[8]]).to.deep.equal([IDS_SCAN.scanner, '1', '1']);
    });

    it('every scan record names probe, level, correlator 2 and the rule; the RST its own probe; the attack its type', () => {
      const comments = tsharkFields(output, ['frame.comment']).map(([c]) => c ?? '');
      const scanTail = 'type=scan level=possibly-suspicious correlator=2 rule=ScanEventLowTcp-rule job=TCPIP';
      for (const comment of comments.slice(0, IDS_SCAN.ports.length)) expect(comment).to.contain(` ids=03020002 ${scanTail}`);
      expect(comments[IDS_SCAN.ports.length]).to.contain(` ids=03020020 ${scanTail}`);
      expect(comments[IDS_SCAN.ports.length + 1]).to.contain(
        ` ids=04010006 type=attack attack=MALFORMED_PACKET correlator=${IDS_MALFORMED.correlator} rule=${IDS_MALFORMED.rule} action=${IDS_MALFORMED.action}`,
      );
      const [malformed] = tsharkFields(output, ['ip.src', 'ip.dst'], { filter: 'frame.comment contains "ids=04010006"' });
      expect(malformed).to.deep.equal([IDS_MALFORMED.source, IDS_MALFORMED.destination]);
    });
  });
});
