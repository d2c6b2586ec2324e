/**
 * IP protocol numbers (IANA "Assigned Internet Protocol Numbers") the code acts on; those with a display
 * name below are the ones listings name and filters accept by name, any other shows as its number.
 */
export const IpProtocol = {
  ICMP: 1,
  IGMP: 2,
  TCP: 6,
  UDP: 17,
  /** IPv6 encapsulated in IPv4 (6in4). */
  IPV6: 41,
  /** IPv6 Fragment extension header (RFC 8200 §4.5). */
  IPV6_FRAGMENT: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  /** IPv6 "No Next Header": nothing follows. */
  IPV6_NO_NEXT: 59,
  OSPF: 89,
  SCTP: 132,
} as const;

/** How each is written: the spelling Wireshark's protocol column uses. */
const DISPLAY_NAMES: Readonly<Record<number, string>> = {
  [IpProtocol.ICMP]: 'ICMP',
  [IpProtocol.IGMP]: 'IGMP',
  [IpProtocol.TCP]: 'TCP',
  [IpProtocol.UDP]: 'UDP',
  [IpProtocol.IPV6]: 'IPv6',
  [IpProtocol.GRE]: 'GRE',
  [IpProtocol.ESP]: 'ESP',
  [IpProtocol.AH]: 'AH',
  [IpProtocol.ICMPV6]: 'ICMPv6',
  [IpProtocol.OSPF]: 'OSPF',
  [IpProtocol.SCTP]: 'SCTP',
};

/** 'TCP', 'ICMPv6', or the number as text for a protocol not named here. */
export function ipProtocolName(protocol: number): string {
  return DISPLAY_NAMES[protocol] ?? String(protocol);
}

/** The number for a name typed by a user ('tcp', 'ICMPv6'; any case), or null. */
export function ipProtocolByName(name: string): number | null {
  const wanted = name.toLowerCase();
  for (const [number, display] of Object.entries(DISPLAY_NAMES)) if (display.toLowerCase() === wanted) return Number(number);
  return null;
}
