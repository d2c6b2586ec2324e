/** pcap/pcapng LINKTYPE_* values zctrace writes (tcpdump.org link-layer types). */
export const LinkType = {
  /** Ethernet II / 802.3 frames: OSAENTA. */
  ETHERNET: 1,
  /** Raw IPv4 or IPv6, version from the first nibble: SYSTCPDA packet trace, SYSTCPIS. */
  RAW: 101,
  IPV4: 228,
  IPV6: 229,
  /** Wireshark's exported-PDU framing: socket data with address/port tags. */
  WIRESHARK_UPPER_PDU: 252,
} as const;
