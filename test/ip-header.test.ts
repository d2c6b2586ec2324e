import { expect } from 'chai';
import {
  IpFields,
  formatIp16,
  formatIpv6,
  ipFieldsPresent,
  ipTotalLength,
  parseIpHeader,
} from '../src/net/ip-header.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/** IBM's 40-byte ICMP echo request (contract §9): 9.42.105.71 → 9.42.104.38. */
const IBM_ICMP = hex('45000028 00004000 3E015914 092A6947 092A6826 08005592 0B3F0000 AEBCDB3D 03340A00 00000000');

/** IPv6 UDP 2001:db8::1:5353 → ff02::fb:5353 behind a hop-by-hop header, 4 payload bytes. */
const IPV6_HOP_BY_HOP_UDP = hex(
  '60000000 0014 00 40' + // version 6, payload length 20, next header hop-by-hop, hop limit 64
    '20010db8000000000000000000000001' +
    'ff0200000000000000000000000000fb' +
    '11 00 0104 00000000' + // hop-by-hop: next UDP, length 0 (8 bytes), PadN
    '14e9 14e9 000c 0000' + // UDP 5353 → 5353, length 12
    'deadbeef',
);

/** The address text the WHATWG URL parser (an independent RFC 5952 implementation) gives. */
function urlForm(bytes: Uint8Array): string {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

describe('IP header view', () => {
  it('reads the IBM ICMP vector: lengths, protocol, addresses, no ports', () => {
    expect(parseIpHeader(IBM_ICMP)).to.deep.equal({
      version: 4,
      headerLength: 20,
      totalLength: 40,
      protocol: 1,
      sourceAddress: '9.42.105.71',
      destinationAddress: '9.42.104.38',
      sourcePort: null,
      destinationPort: null,
    });
  });

  it('walks an IPv6 extension header to the UDP ports', () => {
    expect(parseIpHeader(IPV6_HOP_BY_HOP_UDP)).to.deep.equal({
      version: 6,
      headerLength: 48,
      totalLength: 60,
      protocol: 17,
      sourceAddress: '2001:db8::1',
      destinationAddress: 'ff02::fb',
      sourcePort: 5353,
      destinationPort: 5353,
    });
  });

  it('stops at a non-first IPv6 fragment: protocol known, no ports', () => {
    const fragment = hex('60000000 0010 2c 40' + '00'.repeat(32) + '06 00 0009 00000001' + '0050 0051 00000000');
    const view = parseIpHeader(fragment);
    expect(view?.protocol).to.equal(6);
    expect(view?.sourcePort).to.equal(null);
  });

  it('gives partial views of truncated headers, and null with no readable length', () => {
    expect(parseIpHeader(IBM_ICMP.subarray(0, 16))).to.include({ totalLength: 40, protocol: 1, sourceAddress: '9.42.105.71', destinationAddress: null });
    expect(parseIpHeader(IPV6_HOP_BY_HOP_UDP.subarray(0, 41))).to.include({ totalLength: 60, protocol: null, headerLength: null, sourcePort: null });
    expect(parseIpHeader(IPV6_HOP_BY_HOP_UDP.subarray(0, 44))).to.include({ protocol: 17, headerLength: 48, sourcePort: null });
    expect(parseIpHeader(IPV6_HOP_BY_HOP_UDP.subarray(0, 50))).to.include({ protocol: 17, headerLength: 48, sourcePort: null });
    expect(parseIpHeader(IBM_ICMP.subarray(0, 3))).to.equal(null);
    expect(parseIpHeader(hex('5500002800000000'))).to.equal(null);
  });

  it('states the datagram length from the header, -1 when impossible', () => {
    expect(ipTotalLength(IBM_ICMP, 0)).to.equal(40);
    expect(ipTotalLength(IPV6_HOP_BY_HOP_UDP, 0)).to.equal(60);
    expect(ipTotalLength(hex('45000010'), 0)).to.equal(-1); // total length below the 20-byte header
    expect(ipTotalLength(hex('60000000 0000'), 0)).to.equal(-1); // jumbogram or damage
    const shifted = new Uint8Array(10 + IBM_ICMP.length);
    shifted.set(IBM_ICMP, 10);
    expect(ipTotalLength(shifted, 10, shifted.length)).to.equal(40);
  });

  it('tells which header facts the bytes reach', () => {
    const all = IpFields.ADDRESSES | IpFields.PROTOCOL | IpFields.PORTS;
    expect(ipFieldsPresent(IBM_ICMP, 0)).to.equal(all); // ICMP has no ports to miss
    expect(ipFieldsPresent(IBM_ICMP, 0, 12)).to.equal(IpFields.PROTOCOL | IpFields.PORTS);
    expect(ipFieldsPresent(IPV6_HOP_BY_HOP_UDP, 0, 50)).to.equal(IpFields.ADDRESSES | IpFields.PROTOCOL);
    expect(ipFieldsPresent(IPV6_HOP_BY_HOP_UDP, 0)).to.equal(all);
    expect(ipFieldsPresent(hex('00'), 0)).to.equal(0);
  });

  it('prints IPv6 addresses as RFC 5952 does', () => {
    const samples = [
      '20010db8000000000000000000000001',
      '20010db8000000010000000000000001',
      '20010db8000000000001000000000001',
      '00000000000000000000000000000001',
      '00000000000000000000000000000000',
      'fe800000000000000202b3fffe1e8329',
      '20010db8000100010001000100010001',
      '20010db8000000000000000100000000',
    ];
    for (const sample of samples) expect(formatIpv6(hex(sample), 0), sample).to.equal(urlForm(hex(sample)));
  });

  it('prints a 16-byte PTHDR address: IPv4-mapped as plain IPv4', () => {
    expect(formatIp16(hex('00000000000000000000ffff092a6947'), 0)).to.equal('9.42.105.71');
    expect(formatIpv6(hex('00000000000000000000ffff092a6947'), 0)).to.equal('::ffff:9.42.105.71');
    expect(formatIp16(hex('20010db8000000000000000000000001'), 0)).to.equal('2001:db8::1');
  });
});
