import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultLayoutProfile,
  fieldDefinition,
  layoutProfileFromObject,
  loadLayoutProfile,
  profileFields,
} from '../src/ctrace/layout/layout-profile.js';
import { ZctraceError } from '../src/errors.js';

const DEFAULT_JSON = fileURLToPath(new URL('../src/ctrace/layout/default-profile.json', import.meta.url));

/** The contract §3 table, §6 and §7 extensions: [header, field, offset, size, confidence]. */
const CONTRACT_TABLE: [string, string, number, number, string][] = [
  ['pthdr', 'headerLength', 0, 2, 'IBM'],
  ['pthdr', 'headerVersion', 2, 1, 'ASSUMED'],
  ['pthdr', 'deviceType', 3, 1, 'ASSUMED'],
  ['pthdr', 'flags', 4, 1, 'ASSUMED'],
  ['pthdr', 'segmentNumber', 5, 1, 'ASSUMED'],
  ['pthdr', 'segmentOffset', 6, 2, 'ASSUMED'],
  ['pthdr', 'linkName', 8, 16, 'EV'],
  ['pthdr', 'captureTime', 24, 8, 'EV'],
  ['pthdr', 'sourceAddress', 32, 16, 'EV'],
  ['pthdr', 'destinationAddress', 48, 16, 'EV'],
  ['pthdr', 'sourcePort', 64, 2, 'EV'],
  ['pthdr', 'destinationPort', 66, 2, 'EV'],
  ['pthdr', 'traceCount', 68, 4, 'ASSUMED'],
  ['pthdr', 'protocol', 73, 1, 'EV'],
  ['pthdr', 'vlanId', 74, 2, 'EV'],
  ['pthdr', 'packetLength', 76, 4, 'ASSUMED'],
  ['pthdr', 'tracedLength', 80, 4, 'EV'],
  ['pthdr', 'interfaceIndex', 84, 4, 'EV'],
  ['pthdr', 'asid', 88, 2, 'ASSUMED'],
  ['pthdr', 'tcb', 92, 4, 'ASSUMED'],
  ['pthdr', 'connectionId', 96, 4, 'ASSUMED'],
  ['pthdr', 'discardCode', 100, 2, 'ASSUMED'],
  ['ids', 'correlator', 104, 4, 'ASSUMED'],
  ['ids', 'moduleName', 108, 8, 'ASSUMED'],
  ['ids', 'jobName', 116, 8, 'ASSUMED'],
  ['ids', 'policyRule', 124, 32, 'ASSUMED'],
  ['ids', 'actionName', 156, 32, 'ASSUMED'],
  ['osaenta', 'deviceId', 104, 4, 'ASSUMED'],
];

function layoutError(document: unknown): ZctraceError {
  try {
    layoutProfileFromObject(document, 'site.json');
  } catch (error) {
    expect(error).to.be.instanceOf(ZctraceError);
    expect((error as ZctraceError).code).to.equal('LAYOUT');
    expect((error as ZctraceError).file).to.equal('site.json');
    return error as ZctraceError;
  }
  throw new Error('expected a LAYOUT error');
}

const pthdr = (fields: Record<string, unknown>) => ({ headers: { pthdr: { fields } } });

describe('layout profile', () => {
  describe('the default profile', () => {
    it('holds every field of the contract tables at its offset, size and confidence', () => {
      const profile = defaultLayoutProfile();
      for (const [header, field, offset, size, confidence] of CONTRACT_TABLE) {
        const def = fieldDefinition(profile, header as 'pthdr', field as 'asid');
        expect(def, `${header}.${field}`).to.include({ offset, size, confidence });
      }
      expect(profileFields(profile)).to.have.length(CONTRACT_TABLE.length + 5); // + the five data trace fields
    });

    it('names the PTH_Flag bits of the contract', () => {
      expect(fieldDefinition(defaultLayoutProfile(), 'pthdr', 'flags')?.bits).to.deep.equal({
        local: 0x80,
        confidential: 0x40,
        outbound: 0x20,
        'clear-text': 0x10,
        discarded: 0x08,
      });
    });

    it('compiles to plain offsets with a 102-byte PTHDR reach and the flag masks', () => {
      const compiled = defaultLayoutProfile().compiled;
      expect(compiled.pthdr.discardCode).to.deep.equal({ offset: 100, size: 2, end: 102 });
      expect(compiled.pthdrEnd).to.equal(102);
      expect(compiled.outboundMask).to.equal(0x20);
      expect(compiled.discardedMask).to.equal(0x08);
      expect(compiled.flagBits.map((b) => b.name)).to.deep.equal(['local', 'confidential', 'outbound', 'clear-text', 'discarded']);
    });

    it('is loaded once', () => {
      expect(loadLayoutProfile()).to.equal(loadLayoutProfile());
      expect(loadLayoutProfile().source).to.equal(null);
    });
  });

  describe('a partial override', () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'zctrace-layout-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('moves only the fields it names, keeping their other properties', () => {
      const file = join(dir, 'site.json');
      writeFileSync(file, JSON.stringify(pthdr({ asid: { offset: 90, confidence: 'EV' } })));
      const profile = loadLayoutProfile(file);
      expect(fieldDefinition(profile, 'pthdr', 'asid')).to.include({ offset: 90, size: 2, type: 'uint', confidence: 'EV', ibmName: 'PTH_Asid' });
      expect(fieldDefinition(profile, 'pthdr', 'tcb')).to.include({ offset: 92 });
      expect(profile.compiled.pthdr.asid).to.deep.equal({ offset: 90, size: 2, end: 92 });
      expect(profile.name).to.equal('site.json');
      expect(profile.source).to.equal(file);
    });

    it('drops a field set to null', () => {
      const profile = layoutProfileFromObject(pthdr({ discardCode: null }));
      expect(fieldDefinition(profile, 'pthdr', 'discardCode')).to.equal(null);
      expect(profile.compiled.pthdr.discardCode).to.equal(null);
      expect(profile.compiled.pthdrEnd).to.equal(100);
    });

    it('replaces the flag bits when it names them', () => {
      const profile = layoutProfileFromObject(pthdr({ flags: { bits: { outbound: 1, 'record-size-adjust': 2 } } }));
      expect(profile.compiled.outboundMask).to.equal(1);
      expect(profile.compiled.discardedMask).to.equal(0);
    });

    it('accepts the shipped default itself as a full profile', () => {
      const document = JSON.parse(readFileSync(DEFAULT_JSON, 'utf8')) as unknown;
      expect(layoutProfileFromObject(document).compiled).to.deep.equal(defaultLayoutProfile().compiled);
    });
  });

  describe('validation', () => {
    it('rejects an unknown field by name', () => {
      expect(layoutError(pthdr({ x: { offset: 1 } })).message).to.include('unknown field "x"');
    });

    it('rejects an unknown header and an unknown property', () => {
      expect(layoutError({ headers: { smc: {} } }).message).to.include('unknown header "smc"');
      expect(layoutError(pthdr({ asid: { ofset: 4 } })).message).to.include('unknown property "ofset"');
    });

    it('rejects a size the type cannot have', () => {
      expect(layoutError(pthdr({ asid: { size: 3 } })).message).to.include('size 3 does not fit type uint');
      expect(layoutError(pthdr({ captureTime: { size: 4 } })).message).to.include('type stck');
      expect(layoutError(pthdr({ sourceAddress: { size: 4 } })).message).to.include('type ip16');
    });

    it('rejects a negative or fractional offset', () => {
      expect(layoutError(pthdr({ asid: { offset: -2 } })).message).to.include('offset -2');
      expect(layoutError(pthdr({ asid: { offset: 1.5 } })).message).to.include('offset 1.5');
    });

    it('rejects a type other than the field has', () => {
      expect(layoutError(pthdr({ linkName: { type: 'uint' } })).message).to.include('must be "ebcdic"');
    });

    it('rejects dropping a required field', () => {
      expect(layoutError(pthdr({ headerLength: null })).message).to.include('headerLength is required');
    });

    it('rejects fields that overlap', () => {
      expect(layoutError(pthdr({ asid: { offset: 92 } })).message).to.match(/"asid" and "tcb" overlap|"tcb" and "asid" overlap/);
    });

    it('rejects a flag bit that is not a single bit of the field', () => {
      expect(layoutError(pthdr({ flags: { bits: { outbound: 3 } } })).message).to.include('bit "outbound"');
      expect(layoutError(pthdr({ flags: { bits: { outbound: 256 } } })).message).to.include('bit "outbound"');
      expect(layoutError(pthdr({ flags: { bits: { a: 4, b: 4 } } })).message).to.include('repeats');
    });

    it('rejects a bad confidence and a non-object', () => {
      expect(layoutError(pthdr({ asid: { confidence: 'maybe' } })).message).to.include('confidence "maybe"');
      expect(layoutError([]).message).to.include('must be an object');
    });

    it('reports unreadable and non-JSON files with the file name', () => {
      const dir = mkdtempSync(join(tmpdir(), 'zctrace-layout-'));
      try {
        const bad = join(dir, 'bad.json');
        writeFileSync(bad, '{ "headers": ');
        expect(() => loadLayoutProfile(bad)).to.throw(ZctraceError, /not valid JSON/).with.property('file', bad);
        expect(() => loadLayoutProfile(join(dir, 'missing.json'))).to.throw(ZctraceError).with.property('code', 'IO');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
