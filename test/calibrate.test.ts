/**
 * `zctrace calibrate` end to end. Real traffic (tcpdump between network namespaces) becomes a SYSTCPDA
 * data set whose header values the test chooses per packet; the IPCS listing of the same data set is
 * written from those same intended values in IBM's documented layout. A data set built with the default
 * profile must calibrate as agreeing; one built with deliberately moved fields must be caught, the right
 * offsets found, and the written override must make `zctrace convert` decode those fields right, as
 * tshark reads them back from the packet comments.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';
import { tsharkFields } from './support/tshark.js';
import { buildDataSet, ipFacts, ipPacketOf, readFrames, type IpFacts } from './support/trace-from-capture.js';
import { buildPacketEntryData, buildPacketEntry, type LayoutOverrideDocument, type PthdrValues, type UnixTime } from './support/packet-trace-builder.js';
import { buildCte } from './support/cte-builder.js';
import { buildIpcsListing, type ListingOptions, type ListingRecordSpec } from './support/ipcs-listing-builder.js';
import { loadLayoutProfile, fieldDefinition } from '../src/ctrace/layout/layout-profile.js';
import type { CalibrationResult } from '../src/calibrate/calibrate-trace.js';
import type { FieldFinding } from '../src/calibrate/offset-finder.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const LOCAL = new Set(['198.51.100.1', '2001:db8:0:0:0:0:0:1']);
const OUTBOUND_BIT = 0x20;
const ENTRY_DELAY_NS = 5_000;
/** Device names as the formatter prints them for the codes the fixtures use (device-types.json). */
const LINKS = {
  4: { name: 'OSAQDIO4', deviceType: 39, deviceName: 'MPC IP AQENET' },
  6: { name: 'OSAQDIO6', deviceType: 53, deviceName: 'IPAQENET6' },
} as const;

/** What the test intends one trace entry to hold: the trace builder and the listing builder both read it. */
interface PlannedPacket {
  ip: Uint8Array;
  facts: IpFacts;
  outbound: boolean;
  captureTime: UnixTime;
  entryTime: UnixTime;
  truncateTo: number | undefined;
  fields: PthdrValues;
  link: (typeof LINKS)[4 | 6];
}

function later(time: UnixTime, ns: number): UnixTime {
  const total = time.nsec + ns;
  return { sec: time.sec + Math.floor(total / 1e9), nsec: total % 1e9 };
}

/** Varied header values: ASIDs and TCBs that change, two discard codes, some ABBREV-truncated packets. */
function planPackets(frames: Awaited<ReturnType<typeof readFrames>>): PlannedPacket[] {
  return frames.map((frame, i) => {
    const ip = ipPacketOf(frame);
    const facts = ipFacts(ip);
    const outbound = LOCAL.has(facts.source);
    const link = LINKS[facts.version];
    const captureTime = { sec: frame.timeSec, nsec: frame.timeNsec };
    const discardCode = i % 9 === 4 ? 4114 : i % 13 === 7 ? 4103 : 0;
    const truncateTo = i % 5 === 2 && ip.length > 120 ? 96 : undefined;
    return {
      ip,
      facts,
      outbound,
      captureTime,
      entryTime: later(captureTime, ENTRY_DELAY_NS),
      truncateTo,
      link,
      fields: {
        headerVersion: 1,
        deviceType: link.deviceType,
        flags: (outbound ? OUTBOUND_BIT : 0) | (discardCode !== 0 ? 0x08 : 0),
        linkName: link.name,
        captureTime,
        sourceAddress: facts.source,
        destinationAddress: facts.destination,
        sourcePort: facts.sourcePort,
        destinationPort: facts.destinationPort,
        traceCount: i + 1,
        protocol: facts.protocol,
        asid: 0x0041 + (i % 7),
        tcb: 0x007ff000 + 8 * (i % 11),
        discardCode,
      },
    };
  });
}

function buildTrace(plan: readonly PlannedPacket[], layout?: LayoutOverrideDocument): Uint8Array {
  const entries = plan.map((p) =>
    buildPacketEntry({ packet: p.ip, fields: p.fields, truncateTo: p.truncateTo, padByte: (p.truncateTo ?? p.ip.length) % 2 === 1, layout, entryTime: p.entryTime }),
  );
  return buildDataSet(entries, 'rdw');
}

function listingRecords(plan: readonly PlannedPacket[]): ListingRecordSpec[] {
  return plan.map((p, i) => ({
    recordNumber: i + 1,
    entryId: 4,
    entryTime: p.entryTime,
    captureTime: p.captureTime,
    outbound: p.outbound,
    linkName: p.link.name,
    deviceName: p.link.deviceName,
    tracedLength: p.truncateTo ?? p.ip.length,
    abbreviated: p.truncateTo !== undefined,
    sourcePort: p.facts.sourcePort,
    destinationPort: p.facts.destinationPort,
    asid: p.fields.asid!,
    tcb: p.fields.tcb!,
    discardCode: p.fields.discardCode,
    packet: p.ip.subarray(0, p.truncateTo ?? p.ip.length),
  }));
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

describe('zctrace calibrate', function () {
  let dir: string;
  let plan: PlannedPacket[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zctrace-calibrate-'));
    plan = planPackets(await readFrames(new URL('real-mixed.pcap', FIXTURES).pathname));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: Uint8Array | string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  function calibrate(args: string[]): CalibrationResult {
    const run = runCli(['calibrate', ...args, '--json']);
    expect(run.status, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as CalibrationResult;
  }

  const byName = (result: CalibrationResult) => new Map<string, FieldFinding>(result.fields.map((f) => [`${f.header}.${f.field}`, f]));

  /** Every field the listing shows fits the profile; the ones with telling values fit nowhere else. */
  function expectAllAgree(result: CalibrationResult): void {
    const fields = byName(result);
    for (const f of result.fields) {
      if (f.shown === 0) expect(f.verdict, `${f.header}.${f.field}`).to.equal('not-shown');
      else expect(f.verdict, `${f.header}.${f.field}: ${f.note}`).to.be.oneOf(['agrees', 'agrees-weakly']);
    }
    for (const name of ['linkName', 'captureTime', 'sourceAddress', 'destinationAddress', 'asid', 'tcb', 'discardCode', 'tracedLength']) {
      expect(fields.get(`pthdr.${name}`)!.verdict, name).to.equal('agrees');
    }
    for (const name of ['headerLength', 'traceCount', 'vlanId', 'interfaceIndex', 'segmentOffset']) {
      expect(fields.get(`pthdr.${name}`)!.verdict, name).to.equal('not-shown');
    }
  }

  it('a data set built with the default profile calibrates as agreeing, field by field', () => {
    const trace = write('default.bin', buildTrace(plan));
    const listing = write('default.txt', buildIpcsListing(listingRecords(plan)));
    const result = calibrate([trace, '--ipcs', listing]);
    expect(result.matching.byRecordNumber).to.equal(plan.length);
    expect(result.matching.unmatchedRecords).to.equal(0);
    expect(result.matching.clockOffsetSeconds).to.equal(0);
    expectAllAgree(result);
    const fields = byName(result);
    expect(fields.get('pthdr.asid')!.agreeing).to.equal(plan.length);
    expect(fields.get('pthdr.discardCode')!.shown).to.equal(plan.filter((p) => p.fields.discardCode !== 0).length);
    expect(fields.get('pthdr.packetLength')!.shown).to.equal(plan.filter((p) => p.facts.version === 4).length);
    expect(result.override.corrections).to.deep.equal([]);

    const text = runCli(['calibrate', trace, '--ipcs', listing]);
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stdout).to.match(/pthdr\.asid\s+PTH_Asid\s+ASSUMED\s+88\s+2\s+86\/86\s+agrees\s+-/);
    expect(text.stdout).to.include('no offset needs correcting');
  });

  it('a listing in LOCAL time with ASA carriage control still matches record for record', () => {
    const trace = write('local.bin', buildTrace(plan));
    const options: ListingOptions = { clockOffsetSeconds: 3600, asa: true };
    const listing = write('local.txt', buildIpcsListing(listingRecords(plan), options));
    const result = calibrate([trace, '--ipcs', listing]);
    expect(result.matching.clockOffsetSeconds).to.equal(3600);
    expect(result.matching.byRecordNumber).to.equal(plan.length);
    expectAllAgree(result);
  });

  it('a listing numbered from a later start (IPCS START) is matched by time', () => {
    const trace = write('start.bin', buildTrace(plan));
    const records = listingRecords(plan)
      .slice(20, 60)
      .map((r, i) => ({ ...r, recordNumber: i + 1 }));
    const result = calibrate([trace, '--ipcs', write('start.txt', buildIpcsListing(records))]);
    expect(result.matching.byTime).to.equal(40);
    expect(result.matching.byRecordNumber).to.equal(0);
    expect(byName(result).get('pthdr.captureTime')!.agreeing).to.equal(40);
    expect(byName(result).get('pthdr.linkName')!.verdict).to.equal('agrees');
  });

  it('finds fields the data set holds elsewhere, and its override makes convert decode them right', () => {
    const moved: LayoutOverrideDocument = { headers: { pthdr: { fields: { asid: { offset: 90 }, discardCode: { offset: 102 } } } } };
    const trace = write('shifted.bin', buildTrace(plan, moved));
    const listing = write('shifted.txt', buildIpcsListing(listingRecords(plan)));
    const override = join(dir, 'corrected.json');
    const result = calibrate([trace, '--ipcs', listing, '-o', override]);

    const fields = byName(result);
    expect(fields.get('pthdr.asid')).to.include({ verdict: 'moved', suggestedOffset: 90, agreeing: 0, shown: plan.length });
    expect(fields.get('pthdr.discardCode')).to.include({ verdict: 'moved', suggestedOffset: 102 });
    for (const f of result.fields) {
      if (f.field === 'asid' || f.field === 'discardCode') continue;
      expect(f.verdict, `${f.header}.${f.field}: ${f.note}`).to.be.oneOf(['agrees', 'agrees-weakly', 'not-shown']);
    }
    expect(result.override.corrections.map((c) => `${c.field} ${c.from}->${c.to}`)).to.deep.equal(['asid 88->90', 'discardCode 100->102']);

    // The file is a --layout override the loader accepts, with exactly those offsets changed.
    const profile = loadLayoutProfile(override);
    expect(fieldDefinition(profile, 'pthdr', 'asid')!.offset).to.equal(90);
    expect(fieldDefinition(profile, 'pthdr', 'discardCode')!.offset).to.equal(102);
    expect(fieldDefinition(profile, 'pthdr', 'tcb')!.offset).to.equal(92);
    const written = JSON.parse(readFileSync(override, 'utf8')) as { headers: { pthdr: { fields: Record<string, unknown> } } };
    expect(Object.keys(written.headers.pthdr.fields)).to.deep.equal(['asid', 'discardCode']);

    // Converted with and without it: tshark reads each packet's comment back.
    const comments = (layout: string[]) => {
      const out = join(dir, `shifted-${layout.length}.pcapng`);
      const run = runCli(['convert', trace, '-o', out, '-q', ...layout]);
      expect(run.status, run.stderr).to.equal(0);
      return tsharkFields(out, ['frame.comment']).map((row) => row[0]!);
    };
    const fixed = comments(['--layout', override]);
    expect(fixed).to.have.length(plan.length);
    fixed.forEach((comment, i) => {
      const p = plan[i]!;
      expect(comment, `packet ${i + 1}`).to.include(` asid=${hex4(p.fields.asid!)} `);
      if (p.fields.discardCode === 0) expect(comment, `packet ${i + 1}`).not.to.include('discard=');
      else expect(comment, `packet ${i + 1}`).to.match(new RegExp(` discard=${p.fields.discardCode}/`));
    });
    const unfixed = comments([]);
    expect(unfixed.filter((c, i) => c.includes(` asid=${hex4(plan[i]!.fields.asid!)} `))).to.have.length(0);
    expect(unfixed.filter((c) => c.includes('discard='))).to.have.length(0);

    // Checking a site's own override: what it already fixed agrees, and the new file keeps it.
    const partial = write('partial.json', JSON.stringify({ headers: { pthdr: { fields: { asid: { offset: 90 } } } } }));
    const again = join(dir, 'corrected-again.json');
    const checked = calibrate([trace, '--ipcs', listing, '--layout', partial, '-o', again]);
    expect(byName(checked).get('pthdr.asid')!.verdict).to.equal('agrees');
    expect(checked.override.corrections.map((c) => c.field)).to.deep.equal(['discardCode']);
    const merged = loadLayoutProfile(again);
    expect([fieldDefinition(merged, 'pthdr', 'asid')!.offset, fieldDefinition(merged, 'pthdr', 'discardCode')!.offset]).to.deep.equal([90, 102]);
  });

  it('says when several offsets fit, and refuses a move onto a field that stays', () => {
    // PTH_Tlen written where the profile has PTH_InfIx (dropped from the build, so nothing else is there).
    const moved: LayoutOverrideDocument = { headers: { pthdr: { fields: { tracedLength: { offset: 84 }, interfaceIndex: null } } } };
    // Without ABBREV, PTH_Tlen equals PTH_Plen in every record: offsets 76 and 84 both fit.
    const full = plan.map((p) => ({ ...p, truncateTo: undefined }));
    const ambiguous = calibrate([write('tlen-full.bin', buildTrace(full, moved)), '--ipcs', write('tlen-full.txt', buildIpcsListing(listingRecords(full)))]);
    const tlen = byName(ambiguous).get('pthdr.tracedLength')!;
    expect(tlen.verdict).to.equal('ambiguous');
    expect(tlen.fittingOffsets).to.deep.equal([76, 84]);
    expect(tlen.suggestedOffset).to.equal(null);
    expect(ambiguous.override.corrections).to.deep.equal([]);

    // With ABBREV records the values differ: 84 alone fits, but the profile keeps PTH_InfIx there.
    const abbreviated = calibrate([write('tlen.bin', buildTrace(plan, moved)), '--ipcs', write('tlen.txt', buildIpcsListing(listingRecords(plan))), '-o', join(dir, 'tlen.json')]);
    expect(byName(abbreviated).get('pthdr.tracedLength')).to.include({ verdict: 'moved', suggestedOffset: 84 });
    expect(abbreviated.override.corrections).to.deep.equal([]);
    expect(abbreviated.override.refused).to.have.length(1);
    expect(abbreviated.override.refused[0]!.reason).to.match(/overlaps pthdr\.interfaceIndex/);
    expect(fieldDefinition(loadLayoutProfile(join(dir, 'tlen.json')), 'pthdr', 'tracedLength')!.offset).to.equal(80);
  });

  it('checks the IDS extension: correlator, module, job and policy rule of SYSTCPIS records', () => {
    const profileJson = JSON.parse(readFileSync(new URL('../src/ctrace/layout/default-profile.json', import.meta.url), 'utf8')) as {
      headers: { ids: { fields: Record<string, { offset: number; size: number }> } };
    };
    const ids = profileJson.headers.ids.fields;
    const idsPlan = plan.filter((p) => p.facts.version === 4).slice(0, 12);
    const idsFacts = idsPlan.map((_, i) => ({
      mnemonic: i % 2 === 0 ? 'SCAN' : 'ATTACK',
      description: i % 2 === 0 ? 'Scan-Normal packet' : 'Attack packet',
      probeId: i % 2 === 0 ? 0x03030000 : 0x04010006,
      moduleName: i % 3 === 0 ? 'EZBIPICM' : 'EZBTCPIN',
      jobName: i % 2 === 0 ? 'TCPCS' : 'FTPD1',
      connectionId: 0x20 + i,
      correlator: 10 + i,
      policyRule: i % 2 === 0 ? 'ScanEventIcmp-rule' : 'AttackMalformed-rule',
    }));
    const entries = idsPlan.map((p, i) => {
      const f = idsFacts[i]!;
      const data = buildPacketEntryData({ packet: p.ip, fields: { ...p.fields, connectionId: f.connectionId, discardCode: 0 }, headerLength: 188 });
      writeUint(data, ids.correlator!.offset, 4, f.correlator);
      writeEbcdic(data, ids.moduleName!, f.moduleName);
      writeEbcdic(data, ids.jobName!, f.jobName);
      writeEbcdic(data, ids.policyRule!, f.policyRule);
      writeEbcdic(data, ids.actionName!, 'Scan-action');
      return buildCte({ formatId: f.probeId, timeSec: p.entryTime.sec, timeNsec: p.entryTime.nsec, data });
    });
    const records: ListingRecordSpec[] = listingRecords(idsPlan).map((r, i) => {
      const f = idsFacts[i]!;
      return { ...r, entryId: f.probeId, discardCode: 0, ids: { ...f } };
    });
    const trace = write('ids.bin', buildDataSet(entries, 'raw'));
    const listing = write('ids.txt', buildIpcsListing(records, { component: 'SYSTCPIS' }));
    const result = calibrate([trace, '--ipcs', listing]);
    const fields = byName(result);
    expect(result.matching.byRecordNumber).to.equal(12);
    for (const name of ['ids.correlator', 'ids.moduleName', 'ids.jobName', 'ids.policyRule', 'pthdr.linkName', 'pthdr.connectionId', 'pthdr.captureTime']) {
      expect(fields.get(name)!.verdict, `${name}: ${fields.get(name)!.note}`).to.equal('agrees');
    }
    expect(fields.get('ids.actionName')!.verdict).to.equal('not-shown');
  });

  describe('bad listings', () => {
    it('a garbled line is an input error naming the listing and the line', () => {
      const trace = write('garbled.bin', buildTrace(plan));
      const lines = buildIpcsListing(listingRecords(plan)).split('\n');
      const at = lines.findIndex((line, i) => i > 200 && line.includes('Tod Clock'));
      lines[at] = lines[at]!.replace(/(\d\d):(\d\d):(\d\d)\./, '$1:x$2:$3.');
      const listing = write('garbled.txt', lines.join('\n'));
      const run = runCli(['calibrate', trace, '--ipcs', listing]);
      expect(run.status).to.equal(3);
      expect(run.stderr).to.equal(`zctrace: ${listing}: line ${at + 1}: Tod Clock "${lines[at]!.trim()}" is not a date and time (yyyy/mm/dd hh:mm:ss.uuuuuu)\n`);
    });

    it('a missing listing is an input error naming it; a listing of another data set matches nothing', () => {
      const trace = write('other.bin', buildTrace(plan));
      const missing = join(dir, 'no-such-listing.txt');
      const run = runCli(['calibrate', trace, '--ipcs', missing]);
      expect(run.status).to.equal(3);
      expect(run.stderr).to.match(new RegExp(`^zctrace: ${missing}: cannot read the IPCS listing`));

      const elsewhere = listingRecords(plan).map((r) => ({ ...r, entryTime: later(r.entryTime, 7_200_000_000_123) }));
      const other = write('other.txt', buildIpcsListing(elsewhere.map((r) => ({ ...r, recordNumber: r.recordNumber + 1000 }))));
      const unmatched = runCli(['calibrate', trace, '--ipcs', other]);
      expect(unmatched.status).to.equal(3);
      expect(unmatched.stderr).to.match(/none of the 86 listing records matches an entry/);
    });

    it('an override that cannot be written is an output error', () => {
      const trace = write('out.bin', buildTrace(plan));
      const listing = write('out.txt', buildIpcsListing(listingRecords(plan)));
      const target = join(dir, 'no-such-dir', 'corrected.json');
      const run = runCli(['calibrate', trace, '--ipcs', listing, '-o', target]);
      expect(run.status).to.equal(4);
      expect(run.stderr).to.match(new RegExp(`^zctrace: ${target}: cannot`));
    });
  });
});

function writeUint(data: Uint8Array, offset: number, size: number, value: number): void {
  for (let i = size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) data[offset + i] = v % 256;
}

/** EBCDIC (code page 1047/037 agree on these) for the names the IDS fixture uses, written independently of zctrace. */
function ebcdicByte(ch: string): number {
  const c = ch.charCodeAt(0);
  const ranges: [string, string, number][] = [
    ['a', 'i', 0x81],
    ['j', 'r', 0x91],
    ['s', 'z', 0xa2],
    ['A', 'I', 0xc1],
    ['J', 'R', 0xd1],
    ['S', 'Z', 0xe2],
    ['0', '9', 0xf0],
  ];
  for (const [from, to, base] of ranges) if (ch >= from && ch <= to) return base + (c - from.charCodeAt(0));
  const punctuation: Record<string, number> = { ' ': 0x40, '-': 0x60, _: 0x6d, '.': 0x4b };
  const b = punctuation[ch];
  if (b === undefined) throw new Error(`cannot encode "${ch}"`);
  return b;
}

function writeEbcdic(data: Uint8Array, slot: { offset: number; size: number }, text: string): void {
  const padded = text.padEnd(slot.size, ' ');
  for (let i = 0; i < slot.size; i++) data[slot.offset + i] = ebcdicByte(padded[i]!);
}
