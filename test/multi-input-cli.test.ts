/**
 * `zctrace convert A B C -o OUT` end to end: two CTRACE data sets and a pcap merged into one file in
 * strict time order (capinfos' verdict) with one interface per link; mixed link types refused for pcap or
 * written one file per link type; the output cut into parts that capinfos reads clean.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { capinfos, tsharkFields } from './support/tshark.js';
import { buildMultiInputs, type MultiInputs } from './support/multi-input-fixture.js';

describe('zctrace convert with several inputs', () => {
  let dir: string;
  let inputs: MultiInputs;
  let total: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-multi-'));
    inputs = await buildMultiInputs(dir);
    total = inputs.counts.http + inputs.counts.mixed + inputs.counts.ethernet;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const outputs = (): string[] => readdirSync(dir).filter((name) => /\.(pcap|pcapng)$/.test(name) && name !== 'keepalive.pcap');

  it('merges two data sets and a pcap into one pcapng in strict time order, one interface per link', async () => {
    const out = join(dir, 'all.pcapng');
    const run = runCli(['convert', inputs.http, inputs.mixed, inputs.ethernet, '-o', out]);
    expect(run.status, run.stderr).to.equal(0);
    const facts = capinfos(out);
    expect(facts.get('Strict time order')).to.equal('True');
    expect(facts.get('Number of packets')).to.equal(String(total));
    expect(facts.get('Number of interfaces in file')).to.equal('4');
    // Each link as tshark names it, with the packets of its input.
    const perInterface = new Map<string, number>();
    for (const [name] of tsharkFields(out, ['frame.interface_name'])) perInterface.set(name!, (perInterface.get(name!) ?? 0) + 1);
    expect(perInterface.get('OSAQDIO4')).to.equal(inputs.counts.http);
    expect((perInterface.get('OSAQDIO2') ?? 0) + (perInterface.get('OSAQDIO6') ?? 0)).to.equal(inputs.counts.mixed);
    expect(perInterface.get('keepalive.pcap')).to.equal(inputs.counts.ethernet);
    // The inputs really interleave.
    const names = tsharkFields(out, ['frame.interface_name']).map(([n]) => n);
    expect(names.slice(0, 60)).to.include.members(['OSAQDIO4', 'OSAQDIO2', 'keepalive.pcap']);
    expect(run.stderr).to.match(/http\.bin: SYSTCPDA, framing rdw .*; \d+ packets\n/);
    expect(run.stderr).to.match(/keepalive\.pcap: pcap capture; \d+ packets\n/);
  });

  it('puts entries the data set holds slightly out of order back in time order', () => {
    const run = runCli(['list', inputs.http, '--json', '-q']);
    expect(run.status, run.stderr).to.equal(0);
    const rows = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { record: number; time: string });
    expect(rows).to.have.length(inputs.counts.http);
    const times = rows.map((r) => r.time);
    expect(times).to.deep.equal([...times].sort()); // ISO times of one width sort as text
    const records = rows.map((r) => r.record);
    expect(records, 'the file held swapped entries').to.not.deep.equal([...records].sort((a, b) => a - b));
  });

  it('refuses mixed link types for one pcap: one line, exit 6, no file left', () => {
    const run = runCli(['convert', inputs.http, inputs.ethernet, '-o', join(dir, 'mixed.pcap')]);
    expect(run.status, run.stderr).to.equal(6);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^zctrace: .*mixed\.pcap: pcap holds one link type: .*ETHERNET \(1\).*RAW \(101\).*--split-by-linktype$/);
    expect(readdirSync(dir).filter((name) => name.includes('mixed.pcap'))).to.deep.equal([]);
  });

  it('--split-by-linktype: one pcap per link type, named after -o, the counts adding up', () => {
    const run = runCli(['convert', inputs.http, inputs.mixed, inputs.ethernet, '-o', join(dir, 'split.pcap'), '--split-by-linktype', '-q']);
    expect(run.status, run.stderr).to.equal(0);
    const raw = capinfos(join(dir, 'split.raw.pcap'));
    const ethernet = capinfos(join(dir, 'split.ethernet.pcap'));
    expect(raw.get('File encapsulation')).to.equal('rawip');
    expect(ethernet.get('File encapsulation')).to.equal('ether');
    expect(Number(raw.get('Number of packets'))).to.equal(inputs.counts.http + inputs.counts.mixed);
    expect(Number(ethernet.get('Number of packets'))).to.equal(inputs.counts.ethernet);
    expect(raw.get('Strict time order')).to.equal('True');
  });

  for (const [option, value] of [
    ['--max-packets', '100'],
    ['--max-size', '40K'],
  ] as const) {
    it(`${option} ${value}: numbered parts, each a complete file capinfos reads clean, the counts adding up`, () => {
      const run = runCli(['convert', inputs.http, inputs.mixed, inputs.ethernet, '-o', join(dir, `parts-${option.slice(6)}.pcapng`), option, value]);
      expect(run.status, run.stderr).to.equal(0);
      const parts = outputs().filter((name) => name.startsWith(`parts-${option.slice(6)}_`)).sort();
      expect(parts.length).to.be.greaterThan(2);
      expect(parts[0]).to.equal(`parts-${option.slice(6)}_00001.pcapng`);
      let sum = 0;
      for (const part of parts) {
        const facts = capinfos(join(dir, part));
        const packets = Number(facts.get('Number of packets'));
        if (option === '--max-packets') expect(packets).to.be.at.most(100);
        if (option === '--max-size' && part !== parts.at(-1)) expect(Number(facts.get('File size')?.replace(/\D/g, ''))).to.be.at.least(40_000);
        expect(facts.get('Strict time order')).to.equal('True');
        sum += packets;
      }
      expect(sum).to.equal(total);
      expect(run.stderr).to.match(new RegExp(`${total} packets written to ${parts.length} files`));
    });
  }
});
