/**
 * Where the layers of a frame start, checked frame by frame against tshark's dissection of real captures:
 * Ethernet, 802.1Q and Q-in-Q tags, IPv4 and IPv6, TCP/UDP/ICMP, and frames snapped at 200 bytes.
 */
import { expect } from 'chai';
import { readCaptureFile } from '../src/capture/capture-file-reader.js';
import { PacketLayers, readPacketLayers } from '../src/net/packet-layers.js';
import { formatIpv4, formatIpv6 } from '../src/net/ip-header.js';
import { LinkType } from '../src/capture/link-types.js';
import { tsharkFields } from './support/tshark.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const CAPTURES = ['real-mixed.pcap', 'real-tcp-ipv4.pcap', 'tcp/tcp-keepalive.pcap', 'tcp/tcp-port-reuse.pcap', 'tcp/tcp-bulk-client.pcap'];

/** First value of a tshark field (an ICMP error also shows the quoted inner header's values after it). */
const first = (cell: string | undefined): string => (cell ?? '').split(',')[0] ?? '';

/** IANA numbers of the upper layers in these captures, by tshark's protocol name. */
const PROTOCOL_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 };

/** The upper-layer protocol from tshark's frame.protocols (eth:ethertype:ipv6:ipv6.hopopts:icmpv6), -1 without IP. */
function upperProtocol(protocols: string): number {
  const layers = protocols.split(':');
  const ip = layers.findIndex((l) => l === 'ip' || l === 'ipv6');
  if (ip < 0) return -1;
  const upper = layers.slice(ip + 1).find((l) => !l.startsWith('ipv6.'));
  return upper === undefined ? -1 : (PROTOCOL_NUMBERS[upper] ?? -1);
}

describe('packet layers', () => {
  for (const name of CAPTURES) {
    it(`${name}: addresses, protocol, ports, IP ID and payload length as tshark dissects them`, async () => {
      const path = new URL(name, FIXTURES).pathname;
      const rows = tsharkFields(path, ['ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'frame.protocols', 'tcp.srcport', 'udp.srcport', 'tcp.dstport', 'udp.dstport', 'ip.id', 'tcp.len', 'udp.length']);
      const layers = new PacketLayers();
      let i = 0;
      for await (const frame of readCaptureFile(path)) {
        const [v4src, v6src, v4dst, v6dst, protocols = '', tcpSrc, udpSrc, tcpDst, udpDst, ipId, tcpLen, udpLen] = rows[i]!.map(first);
        const at = `${name} frame ${frame.frameNumber}`;
        i++;
        const protocol = upperProtocol(protocols);
        expect(readPacketLayers(frame.data, frame.linkType, frame.originalLength, layers), at).to.equal(v4src !== '' || v6src !== '');
        if (layers.ipVersion === 0) continue;
        const text = layers.ipVersion === 6 ? formatIpv6 : formatIpv4;
        expect(text(frame.data, layers.sourceAddressAt), at).to.equal(v4src || v6src);
        expect(text(frame.data, layers.destinationAddressAt), at).to.equal(v4dst || v6dst);
        expect(layers.protocol, at).to.equal(protocol);
        // Ports of the packet itself; an ICMP error's quoted header is not its own.
        const hasPorts = protocol === 6 || protocol === 17;
        expect(layers.sourcePort, at).to.equal(hasPorts ? Number(tcpSrc || udpSrc) : -1);
        expect(layers.destinationPort, at).to.equal(hasPorts ? Number(tcpDst || udpDst) : -1);
        expect(layers.ipId, at).to.equal(ipId ? Number(ipId) : -1);
        if (protocol === 6) expect(layers.payloadLength, at).to.equal(Number(tcpLen));
        if (protocol === 17) expect(layers.payloadLength, at).to.equal(Number(udpLen) - 8);
        // The payload never runs into Ethernet padding or past what was captured.
        expect(layers.payloadEnd - layers.payloadOffset, at).to.be.at.most(Math.max(0, layers.payloadLength));
      }
      expect(i).to.equal(rows.length);
    });
  }

  it('a frame without IP (ARP) has no layers, and its whole frame is payload', () => {
    const arp = new Uint8Array(42);
    arp.set([0x08, 0x06], 12);
    const layers = new PacketLayers();
    expect(readPacketLayers(arp, LinkType.ETHERNET, 42, layers)).to.equal(false);
    expect([layers.ipOffset, layers.protocol, layers.payloadOffset, layers.payloadEnd]).to.deep.equal([-1, -1, 0, 42]);
  });

  it('a later IPv4 fragment: protocol known, no ports, everything after the IP header is payload', () => {
    const fragment = new Uint8Array(20 + 16);
    fragment.set([0x45, 0, 0, 36, 0, 1, 0x00, 0x03, 64, 17], 0); // fragment offset 3 (24 bytes), UDP
    fragment.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
    const layers = new PacketLayers();
    readPacketLayers(fragment, LinkType.RAW, fragment.length, layers);
    expect([layers.protocol, layers.transportOffset, layers.sourcePort, layers.payloadOffset, layers.payloadLength]).to.deep.equal([17, -1, -1, 20, 16]);
  });
});
