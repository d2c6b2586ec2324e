/**
 * Address filters: the text forms users type, and matching checked against Node's own net.BlockList
 * (an independent implementation of subnet membership) on random addresses.
 */
import { expect } from 'chai';
import { BlockList, isIPv6 } from 'node:net';
import { addressInNetwork, parseAddressNetwork, parseIpAddress, parseIpv6 } from '../src/filter/address-match.js';
import { ZctraceError } from '../src/errors.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

function v6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

describe('address filters', () => {
  it('parses IPv6 in every RFC 4291 text form to the bytes the WHATWG URL parser agrees with', () => {
    for (const text of ['2001:db8::1', '::', '::1', 'fe80::', '2001:DB8:0:0:8:800:200C:417A', '::ffff:198.51.100.7', '1:2:3:4:5:6:7:8', '64:ff9b::192.0.2.33']) {
      const bytes = parseIpv6(text);
      expect(bytes, text).to.not.equal(null);
      expect(isIPv6(text)).to.equal(true);
      expect(new URL(`http://[${v6Text(bytes!)}]/`).hostname, text).to.equal(new URL(`http://[${text}]/`).hostname);
    }
  });

  it('refuses what is not an address', () => {
    for (const text of ['1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'host.example', '', ':::', '1:2:3:4:5:6:7::8:9']) {
      expect(parseIpAddress(text), text).to.equal(null);
    }
  });

  it('takes a prefix length, a dotted mask, or none; host bits are masked off; errors name the option', () => {
    expect(parseAddressNetwork('10.1.2.3/16').text).to.equal('10.1.0.0/16');
    expect(parseAddressNetwork('10.1.2.3/255.255.255.0').text).to.equal('10.1.2.0/24');
    expect(parseAddressNetwork('198.51.100.7').text).to.equal('198.51.100.7/32');
    expect(parseAddressNetwork('2001:db8:1:2::7/48').text).to.equal('2001:db8:1::/48');
    for (const bad of ['10.1.0.0/33', '10.1.0.0/255.0.255.0', '2001:db8::/129', 'nowhere', '10.0.0.0/8/8']) {
      expect(() => parseAddressNetwork(bad), bad)
        .to.throw(ZctraceError)
        .with.property('message')
        .that.matches(/^--ip /);
    }
  });

  for (const family of ['ipv4', 'ipv6'] as const) {
    it(`${family}: membership agrees with net.BlockList on random networks and addresses`, () => {
      const next = random(family === 'ipv4' ? 7 : 11);
      const size = family === 'ipv4' ? 4 : 16;
      const bytes = (): Uint8Array => Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
      const text = (b: Uint8Array): string => (size === 4 ? b.join('.') : v6Text(b));
      for (let n = 0; n < 200; n++) {
        const base = bytes();
        const bits = Math.floor(next() * (size * 8 + 1));
        const network = parseAddressNetwork(`${text(base)}/${bits}`);
        const oracle = new BlockList();
        oracle.addSubnet(text(base), bits, family);
        for (let k = 0; k < 20; k++) {
          // Half the candidates share the network's leading bytes, so both answers occur often.
          const candidate = bytes();
          if (k % 2 === 0) candidate.set(base.subarray(0, Math.floor(bits / 8)));
          const frame = new Uint8Array(size + 3);
          frame.set(candidate, 3);
          expect(addressInNetwork(frame, 3, network), `${text(candidate)} in ${text(base)}/${bits}`).to.equal(oracle.check(text(candidate), family));
        }
      }
    });
  }

  it('an address past the end of the bytes is never in a network', () => {
    const network = parseAddressNetwork('0.0.0.0/0');
    expect(addressInNetwork(new Uint8Array(6), 3, network)).to.equal(false);
    expect(addressInNetwork(new Uint8Array(6), 2, network)).to.equal(true);
  });
});
