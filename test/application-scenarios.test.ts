import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readCaptureFile } from '../src/capture/capture-file-reader.js';
import { MAX_EVIDENCE_PER_FINDING, SEVERITIES, type Finding } from '../src/analysis/finding.js';
import type { AnalyzedPacket } from '../src/analysis/analyzed-packet.js';
import { createApplicationAnalyzers } from '../src/analysis/application/index.js';
import type { PacketRow } from '../src/report/report-model.js';
import { type HarnessFrame, analyzedPackets, labels, runAnalyzers } from './support/application-harness.js';
import { applicationScenarios, dnsErrors } from './support/scenario-packets.js';
import { tsharkFields } from './support/tshark.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const REAL_TCP = new URL('./fixtures/real-tcp-ipv4.pcap', import.meta.url).pathname;

/**
 * What spec/scenarios.md says the report must say for each case ("the finding" column), as rule and
 * severity; the background of case E.3 (SNMP to a closed port, community public) adds its own two.
 */
const EXPECTED: Record<string, string[]> = {
  'FTP PORT, no data connection': ['ftp.port_no_data_connection error', 'icmp.port_unreachable warning', 'snmp.community_in_clear note'],
  'FTP PASV, SYN unanswered': ['ftp.data_syn_unanswered error'],
  'Good PASV': [],
  'FTP brute force': ['ftp.brute_force error'],
  'DNS errors': ['dns.error_rcode note', 'dns.error_rcode warning', 'dns.error_rcode warning', 'dns.unanswered warning'],
  'DNS through a routing problem': ['dns.query_icmp_error error', 'icmp.time_exceeded warning'],
  'DHCP normal and decline': ['dhcp.decline warning'],
  'Normal FTP session': [],
};

function wellFormed(finding: Finding, frames: number): void {
  const what = `${finding.rule}: ${finding.title}`;
  expect(SEVERITIES, what).to.include(finding.severity);
  expect(finding.count, what).to.be.greaterThan(0);
  expect(finding.firstTime <= finding.lastTime, what).to.equal(true);
  expect(finding.evidence.length, what).to.be.within(1, MAX_EVIDENCE_PER_FINDING);
  for (const ref of finding.evidence) {
    expect(ref.frame, what).to.be.within(1, frames);
    expect(ref.time >= finding.firstTime && ref.time <= finding.lastTime, `${what}: evidence time ${ref.time}`).to.equal(true);
    expect(ref.note, what).to.not.equal('');
  }
  const frameNumbers = finding.evidence.map((e) => e.frame);
  expect(frameNumbers, `${what}: evidence in frame order`).to.deep.equal([...frameNumbers].sort((a, b) => a - b));
  expect(finding.title.length, what).to.be.greaterThan(10);
  expect(finding.explanation.length, what).to.be.greaterThan(30);
}

describe('The cases of spec/scenarios.md, end to end', () => {
  for (const scenario of applicationScenarios()) {
    it(`${scenario.name}: ${EXPECTED[scenario.name]?.join(', ') || 'no finding'}`, () => {
      const findings = runAnalyzers(scenario.frames);
      expect(findings.map((f) => `${f.rule} ${f.severity}`).sort()).to.deep.equal([...(EXPECTED[scenario.name] ?? ['?'])].sort());
      for (const finding of findings) wellFormed(finding, scenario.frames.length);
    });
  }
});

describe('Evidence held until its finding is known', () => {
  it('DNS queries: only the unanswered ones reach the packets table, as rows handed over at the end', () => {
    const analyzers = createApplicationAnalyzers({});
    const packets: AnalyzedPacket[] = [];
    for (const p of analyzedPackets(dnsErrors().frames)) {
      for (const analyzer of analyzers) analyzer.observe(p);
      packets.push(p);
    }
    const findings = analyzers.flatMap((a) => a.finish());
    const dns = analyzers.find((a) => a.name === 'dns') as unknown as { lateEvidenceRows(): PacketRow[] };
    const late = dns.lateEvidenceRows().map((row) => row.frame);
    const unanswered = findings.find((f) => f.rule === 'dns.unanswered')!.evidence.map((e) => e.frame);
    expect([...late].sort((a, b) => a - b)).to.deep.equal(unanswered);
    expect(late).to.have.length(7);
    // Queries were held, not marked: only the error responses (evidence at once) are marked.
    const marked = packets.filter((p) => p.isEvidence === true).map((p) => p.frame);
    expect(marked.filter((frame) => late.includes(frame))).to.deep.equal([]);
    expect(marked).to.have.length(7); // 3 Name Error + 4 Server Failure responses
    expect(dns.lateEvidenceRows()[0]?.message).to.contain('dns query A tso.example.com');
  });
});

describe('Real FTP session (test/fixtures/real-tcp-ipv4.pcap)', () => {
  let frames: HarnessFrame[] = [];
  before(async () => {
    frames = [];
    for await (const f of readCaptureFile(REAL_TCP)) frames.push({ data: f.data.slice(), originalLength: f.originalLength, timeSec: f.timeSec, timeNsec: f.timeNsec, linkType: f.linkType });
  });

  it('produces no finding: login, PASV, RETR over the announced port, QUIT are all normal', () => {
    expect(runAnalyzers(frames).map((f) => `${f.rule} ${f.severity}: ${f.title}`)).to.deep.equal([]);
  });

  it('labels every FTP command and reply as tshark decodes it', function () {
    if (!HAVE_TSHARK) this.skip();
    const ours = labels(frames);
    const rows = tsharkFields(REAL_TCP, ['frame.number', 'ftp.request.command', 'ftp.response.code'], { filter: 'ftp' });
    expect(rows.length).to.be.greaterThan(10);
    for (const [frame, command, code] of rows) {
      expect(ours[Number(frame)], `frame ${frame}`).to.equal(command !== '' ? `ftp command ${command}` : `ftp reply code ${code}`);
    }
  });
});
