/**
 * The packet filter of convert, info and list: option values parsed once into a predicate on the packet
 * model. Values of one option are alternatives (OR); different options must all hold (AND). Clauses that
 * need no packet bytes run first; the IP/transport layers are located once per packet, only if needed.
 * Address, port and protocol come from the packet bytes, or from the PTHDR copies when the bytes traced
 * stop short of them.
 */
import { ZctraceError } from '../errors.js';
import { compareTime, formatUtc } from '../model/time.js';
import { ipProtocolByName, ipProtocolName } from '../net/ip-protocols.js';
import { PacketLayers, readPacketLayers } from '../net/packet-layers.js';
import type { CodePage } from '../zos/ebcdic.js';
import type { TracePacket } from '../model/trace-packet.js';
import { addressInNetwork, parseAddressNetwork, parseIpAddress, type AddressNetwork } from './address-match.js';
import { createNamePattern, type NamePattern } from './name-pattern.js';
import { createPayloadSearch } from './payload-search.js';
import { parseTimePoint, type TimePoint } from './time-bound.js';
import { addressCopyOf, correlatorOf, formatProbeId, jobNameOf, portCopyOf, probeIdOf, protocolCopyOf } from './packet-facts.js';

/** Option values as typed (every list may be empty). */
export interface FilterValues {
  ip: readonly string[];
  port: readonly string[];
  protocol: readonly string[];
  link: readonly string[];
  from: string | null;
  to: string | null;
  discarded: boolean;
  probe: readonly string[];
  correlator: readonly string[];
  jobname: readonly string[];
  contains: readonly string[];
}

export const NO_FILTER_VALUES: FilterValues = {
  ip: [],
  port: [],
  protocol: [],
  link: [],
  from: null,
  to: null,
  discarded: false,
  probe: [],
  correlator: [],
  jobname: [],
  contains: [],
};

export interface PacketFilter {
  /** What the filter keeps, in the options' own words: `ip 10.1.0.0/16 and port 21 or 20`. */
  readonly description: string;
  matches(packet: TracePacket): boolean;
}

/** One condition. `layers` is filled only for clauses that declare they need it. */
interface Clause {
  description: string;
  needsLayers: boolean;
  test(packet: TracePacket, layers: PacketLayers): boolean;
}

function usage(message: string): ZctraceError {
  return new ZctraceError('USAGE', message);
}

function parseWhole(option: string, text: string, max: number): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) > max) throw usage(`${option} ${text}: a whole number 0..${max} is needed`);
  return Number(text);
}

function parseProtocol(text: string): number {
  const named = ipProtocolByName(text.trim());
  if (named !== null) return named;
  if (/^\s*\d+\s*$/.test(text) && Number(text) <= 255) return Number(text);
  throw usage(`--protocol ${text}: use tcp, udp, icmp, icmpv6 (or another protocol name) or a number 0..255`);
}

function parseProbeId(text: string): number {
  const hex = /^\s*(?:0x)?([0-9a-f]{1,8})\s*$/i.exec(text)?.[1];
  if (hex === undefined) throw usage(`--probe ${text}: an IDS probe ID is up to 8 hex digits, like 03030000`);
  return parseInt(hex, 16) >>> 0;
}

function alternatives(name: string, shown: readonly string[]): string {
  return `${name} ${shown.join(' or ')}`;
}

// ---- clauses on CTRACE facts and the packet model ----------------------------------------------------

function linkClause(patterns: NamePattern[]): Clause {
  return {
    description: alternatives('link', patterns.map((p) => p.text)),
    needsLayers: false,
    test: (packet) => patterns.some((p) => p.test(packet.interface.name)),
  };
}

function timeClause(from: TimePoint | null, to: TimePoint | null): Clause {
  const parts = [from === null ? null : `from ${formatUtc(from.sec, from.nsec)}`, to === null ? null : `to ${formatUtc(to.sec, to.nsec)}`];
  return {
    description: parts.filter((p) => p !== null).join(' '),
    needsLayers: false,
    test: (p) =>
      (from === null || compareTime(p.timeSec, p.timeNsec, from.sec, from.nsec) >= 0) &&
      (to === null || compareTime(p.timeSec, p.timeNsec, to.sec, to.nsec) <= 0),
  };
}

function discardedClause(): Clause {
  return { description: 'discarded', needsLayers: false, test: (packet) => packet.ctrace?.discard != null };
}

function valueClause(name: string, values: Set<number>, shown: string[], read: (packet: TracePacket) => number | null): Clause {
  return {
    description: alternatives(name, shown),
    needsLayers: false,
    test: (packet) => {
      const value = read(packet);
      return value !== null && values.has(value);
    },
  };
}

function jobClause(patterns: NamePattern[]): Clause {
  return {
    description: alternatives('jobname', patterns.map((p) => p.text)),
    needsLayers: false,
    test: (packet) => {
      const job = jobNameOf(packet);
      return job !== null && patterns.some((p) => p.test(job));
    },
  };
}

// ---- clauses on the packet bytes ---------------------------------------------------------------------

function copyInNetworks(packet: TracePacket, end: 'source' | 'destination', networks: AddressNetwork[]): boolean {
  const text = addressCopyOf(packet, end);
  const bytes = text === null ? null : parseIpAddress(text);
  return bytes !== null && networks.some((n) => n.length === bytes.length && addressInNetwork(bytes, 0, n));
}

function ipClause(networks: AddressNetwork[]): Clause {
  return {
    description: alternatives('ip', networks.map((n) => n.text)),
    needsLayers: true,
    test: (packet, layers) => {
      if (layers.sourceAddressAt < 0) {
        return copyInNetworks(packet, 'source', networks) || copyInNetworks(packet, 'destination', networks);
      }
      const length = layers.addressLength;
      for (const network of networks) {
        if (network.length !== length) continue;
        if (addressInNetwork(packet.data, layers.sourceAddressAt, network) || addressInNetwork(packet.data, layers.destinationAddressAt, network)) return true;
      }
      return false;
    },
  };
}

function portClause(ports: Set<number>): Clause {
  return {
    description: alternatives('port', [...ports].map(String)),
    needsLayers: true,
    test: (packet, layers) => {
      if (layers.sourcePort >= 0) return ports.has(layers.sourcePort) || ports.has(layers.destinationPort);
      const source = portCopyOf(packet, 'source');
      const destination = portCopyOf(packet, 'destination');
      return (source !== null && ports.has(source)) || (destination !== null && ports.has(destination));
    },
  };
}

function protocolClause(protocols: Set<number>): Clause {
  return {
    description: alternatives('protocol', [...protocols].map(ipProtocolName)),
    needsLayers: true,
    test: (packet, layers) => {
      const protocol = layers.protocol >= 0 ? layers.protocol : protocolCopyOf(packet);
      return protocol !== null && protocols.has(protocol);
    },
  };
}

function containsClause(texts: readonly string[], codePage: CodePage): Clause {
  const search = createPayloadSearch(texts, codePage);
  return {
    description: alternatives('contains', texts.map((t) => JSON.stringify(t))),
    needsLayers: true,
    test: (packet, layers) => search.test(packet.data, layers.payloadOffset, layers.payloadEnd),
  };
}

function clausesOf(values: FilterValues, codePage: CodePage): Clause[] {
  const clauses: Clause[] = [];
  if (values.link.length > 0) clauses.push(linkClause(values.link.map(createNamePattern)));
  const from = values.from === null ? null : parseTimePoint('--from', values.from);
  const to = values.to === null ? null : parseTimePoint('--to', values.to);
  if (from !== null && to !== null && compareTime(from.sec, from.nsec, to.sec, to.nsec) > 0) {
    throw usage(`--from ${values.from} is after --to ${values.to}`);
  }
  if (from !== null || to !== null) clauses.push(timeClause(from, to));
  if (values.discarded) clauses.push(discardedClause());
  if (values.probe.length > 0) {
    const ids = values.probe.map(parseProbeId);
    clauses.push(valueClause('probe', new Set(ids), ids.map(formatProbeId), probeIdOf));
  }
  if (values.correlator.length > 0) {
    const correlators = values.correlator.map((c) => parseWhole('--correlator', c, 0xffff_ffff));
    clauses.push(valueClause('correlator', new Set(correlators), correlators.map(String), correlatorOf));
  }
  if (values.jobname.length > 0) clauses.push(jobClause(values.jobname.map(createNamePattern)));
  if (values.ip.length > 0) clauses.push(ipClause(values.ip.map(parseAddressNetwork)));
  if (values.port.length > 0) clauses.push(portClause(new Set(values.port.map((p) => parseWhole('--port', p, 65535)))));
  if (values.protocol.length > 0) clauses.push(protocolClause(new Set(values.protocol.map(parseProtocol))));
  if (values.contains.length > 0) clauses.push(containsClause(values.contains, codePage));
  return clauses;
}

/** The filter for these values, or null when no filter option was given (every packet passes). */
export function createPacketFilter(values: FilterValues, codePage: CodePage): PacketFilter | null {
  const clauses = clausesOf(values, codePage);
  if (clauses.length === 0) return null;
  const firstLayered = clauses.findIndex((c) => c.needsLayers);
  const layers = new PacketLayers();
  return {
    description: clauses.map((c) => c.description).join(' and '),
    matches(packet) {
      for (let i = 0; i < clauses.length; i++) {
        if (i === firstLayered) readPacketLayers(packet.data, packet.interface.linkType, packet.originalLength, layers);
        if (!clauses[i]!.test(packet, layers)) return false;
      }
      return true;
    },
  };
}
