/**
 * Inputs for the multi-input, filter and list tests, all from real traffic: two SYSTCPDA packet trace data
 * sets (the HTTP/FTP capture, and the mixed ICMP/DNS/HTTP one moved in time so the two interleave, on other
 * link names) and one pcap with Ethernet frames and 802.1Q tags (the keep-alive capture, moved the same
 * way). The first data set holds a few entries swapped with their neighbour, as several processors'
 * trace entries can be, and discard codes on some packets. Plus a small data set whose UDP payloads
 * carry a logon text in EBCDIC and in ASCII.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapturedFrame } from '../../src/capture/capture-file-reader.js';
import { LinkType } from '../../src/capture/link-types.js';
import { resolveCodePage } from '../../src/zos/ebcdic.js';
import { buildDataSet, packetEntriesFromFrames, readFrames, type TracedFrame } from './trace-from-capture.js';
import { writePcap } from './tcp-frame-builder.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const LOCAL = ['198.51.100.1', '2001:db8:0:0:0:0:0:1'];
/** Every 40th packet of the first data set is marked discarded with this code (4114 IP_MAC_BRDCST). */
export const DISCARD_CODE = 4114;
/** The text hidden in the logon data set's payloads. */
export const LOGON_TEXT = 'LOGON APPLID';

export interface MultiInputs {
  /** SYSTCPDA, rdw framing: real-tcp-ipv4.pcap on link OSAQDIO4, a few neighbouring entries swapped. */
  http: string;
  /** SYSTCPDA, raw framing: real-mixed.pcap on links OSAQDIO2 (IPv4) and OSAQDIO6 (IPv6). */
  mixed: string;
  /** pcap, Ethernet with 802.1Q tags: tcp-keepalive.pcap. */
  ethernet: string;
  /** SYSTCPDA, 4 UDP packets: payload with LOGON_TEXT in EBCDIC (IBM-1047), in ASCII, and two without. */
  logon: string;
  /** Packets of each (the first three). */
  counts: { http: number; mixed: number; ethernet: number };
}

/** The frames moved in time so the first is `afterNs` after `start`, their spacing kept to the nanosecond. */
function movedAfter(frames: CapturedFrame[], start: CapturedFrame, afterNs: number): CapturedFrame[] {
  const first = frames[0]!;
  return frames.map((frame) => {
    const ns = start.timeNsec + afterNs + (frame.timeSec - first.timeSec) * 1e9 + (frame.timeNsec - first.timeNsec);
    return { ...frame, timeSec: start.timeSec + Math.floor(ns / 1e9), timeNsec: ((ns % 1e9) + 1e9) % 1e9 };
  });
}

function udpWithPayload(payload: Uint8Array, id: number): Uint8Array {
  const packet = new Uint8Array(28 + payload.length);
  const view = new DataView(packet.buffer);
  packet.set([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17], 0);
  view.setUint16(2, packet.length);
  view.setUint16(4, id);
  packet.set([198, 51, 100, 1, 198, 51, 100, 9], 12);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += view.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  view.setUint16(10, ~sum & 0xffff);
  view.setUint16(20, 1025);
  view.setUint16(22, 623);
  view.setUint16(24, 8 + payload.length); // UDP checksum 0: not computed, legal over IPv4
  packet.set(payload, 28);
  return packet;
}

export async function buildMultiInputs(dir: string): Promise<MultiInputs> {
  const http = await readFrames(new URL('real-tcp-ipv4.pcap', FIXTURES).pathname);
  // The other captures are moved to start 0.3 ms and 0.7 ms after the first, so all three interleave.
  const mixedFrames = movedAfter(await readFrames(new URL('real-mixed.pcap', FIXTURES).pathname), http[0]!, 300_000);
  const ethernetFrames = movedAfter(await readFrames(new URL('tcp/tcp-keepalive.pcap', FIXTURES).pathname), http[0]!, 700_000);

  const httpEntries = packetEntriesFromFrames(http, {
    localAddresses: LOCAL,
    decorate: (_t, index) => (index % 40 === 7 ? { fields: { discardCode: DISCARD_CODE } } : {}),
  });
  for (let i = 20; i + 1 < httpEntries.length; i += 50) [httpEntries[i], httpEntries[i + 1]] = [httpEntries[i + 1]!, httpEntries[i]!];
  const link = (t: TracedFrame) => (t.facts.version === 4 ? { name: 'OSAQDIO2', deviceType: 39 } : { name: 'OSAQDIO6', deviceType: 53 });

  const paths = { http: join(dir, 'http.bin'), mixed: join(dir, 'mixed.bin'), ethernet: join(dir, 'keepalive.pcap'), logon: join(dir, 'logon.bin') };
  writeFileSync(paths.http, buildDataSet(httpEntries, 'rdw'));
  writeFileSync(paths.mixed, buildDataSet(packetEntriesFromFrames(mixedFrames, { localAddresses: LOCAL, link }), 'raw'));
  writePcap(paths.ethernet, LinkType.ETHERNET, ethernetFrames);

  const payloads = [
    resolveCodePage('1047').encode(`${LOGON_TEXT}(CICS)`),
    new TextEncoder().encode(`${LOGON_TEXT}(TSO)`),
    new TextEncoder().encode('logoff'),
    resolveCodePage('1047').encode('LOGOFF'),
  ];
  const logonFrames: CapturedFrame[] = payloads.map((payload, i) => {
    const data = udpWithPayload(payload, i + 1);
    return { frameNumber: i + 1, timeSec: 1_700_000_000 + i, timeNsec: 0, linkType: LinkType.RAW, interfaceName: null, data, originalLength: data.length, direction: 'unknown', comment: null };
  });
  writeFileSync(paths.logon, buildDataSet(packetEntriesFromFrames(logonFrames, { localAddresses: LOCAL }), 'raw'));
  return { ...paths, counts: { http: http.length, mixed: mixedFrames.length, ethernet: ethernetFrames.length } };
}
