/**
 * How the report words each TCP analysis flag when it becomes a finding: a title and what it means to an
 * analyst (scenarios.md "facts analysts use"). Severities come from the flag table (tcp/tcp-flags.ts),
 * which follows Wireshark's Expert Info.
 */
import type { TcpAnalysisFlagName } from './tcp/tcp-flags.js';

export interface TcpExpertWording {
  title: string;
  explanation: string;
}

export const TCP_EXPERT_WORDING: Readonly<Record<TcpAnalysisFlagName, TcpExpertWording>> = {
  retransmission: {
    title: 'Retransmissions',
    explanation: 'Segments were sent again because no acknowledgement came in time (retransmission timeout): packets lost between the trace point and the receiver, or a receiver that stopped answering. Growing gaps between the copies are the exponential back-off.',
  },
  fast_retransmission: {
    title: 'Fast retransmissions',
    explanation: 'A segment was resent right after the receiver’s duplicate ACKs reported it missing: a packet was lost and recovered quickly, before the retransmission timeout.',
  },
  spurious_retransmission: {
    title: 'Spurious retransmissions',
    explanation: 'Data was resent although the receiver had already acknowledged it: the sender’s retransmission timer is too short for this path, or acknowledgements were delayed.',
  },
  out_of_order: {
    title: 'Out-of-order segments',
    explanation: 'A segment arrived after a later one: the network reordered packets (parallel paths, link aggregation), or the trace recorded them in a different order.',
  },
  lost_segment: {
    title: 'Previous segment not captured',
    explanation: 'The sequence numbers jump: a segment was lost before the trace point, or the trace missed it (common at the start of a trace or with trace filters).',
  },
  ack_lost_segment: {
    title: 'ACKed segment that was not captured',
    explanation: 'The receiver acknowledged data the trace never showed: the trace missed packets (capture loss, a filter, or a trace started mid-connection).',
  },
  duplicate_ack: {
    title: 'Duplicate ACKs',
    explanation: 'The receiver repeated the same acknowledgement: a segment is missing. Three duplicate ACKs usually trigger a fast retransmission before the retransmission timeout.',
  },
  zero_window: {
    title: 'Zero window',
    explanation: 'The receiver advertised a window of 0: its receive buffer is full because the receiving application is not reading. This is not a network problem; look at the application on that host.',
  },
  zero_window_probe: {
    title: 'Zero-window probes',
    explanation: 'The sender probes a closed (zero) window while it waits; the probe intervals double as long as the receiver stays closed.',
  },
  zero_window_probe_ack: {
    title: 'Zero-window probe ACKs',
    explanation: 'The receiver answers the sender’s zero-window probes; a window still 0 in the answer means its application is still not reading.',
  },
  window_full: {
    title: 'Window full',
    explanation: 'The sender filled the receiver’s advertised window and must wait for it to open: the transfer is limited by the receiver, not the network.',
  },
  window_update: {
    title: 'Window updates',
    explanation: 'The receiver opened its window without sending data: normal flow control, worth a look only next to zero windows.',
  },
  keep_alive: {
    title: 'Keep-alives',
    explanation: 'Keep-alive segments on an idle connection: normal liveness checks, not duplicate ACKs.',
  },
  keep_alive_ack: {
    title: 'Keep-alive ACKs',
    explanation: 'Answers to keep-alive segments: the peer is still there.',
  },
  reused_ports: {
    title: 'Ports reused',
    explanation: 'A new connection started on the same addresses and ports as an earlier one in this trace (with a new initial sequence number): normal for a busy client, suspicious when the earlier connection was not closed.',
  },
};

export const RESET_WORDING: TcpExpertWording = {
  title: 'Connection reset',
  explanation: 'A RST ended the connection without an orderly close: the application aborted, the host had no such connection any more, or a firewall intervened.',
};

export const RESET_AFTER_CLOSE_WORDING: TcpExpertWording = {
  title: 'Reset at close',
  explanation: 'A RST followed the FIN exchange instead of the final ACK: an implementation variant of closing, normally harmless.',
};

export const BAD_CHECKSUM_WORDING: TcpExpertWording = {
  title: 'TCP checksum errors',
  explanation: 'Received segments whose TCP checksum is wrong: the segment was damaged on the way, or someone altered it, and the receiving stack discards it, which shows up as retransmissions. When every segment of a connection is wrong and nothing is retransmitted, the checksums were simply never filled in: offload on a virtual link (veth, some hypervisors) leaves them so in both directions.',
};

export const CHECKSUM_OFFLOAD_WORDING: TcpExpertWording = {
  title: 'TCP checksums not filled in (checksum offload)',
  explanation: 'Outbound segments carry checksums that are not yet valid. The stack traced them before the adapter computed the checksum (checksum offload, as z/OS does with OSA-Express): these are not errors.',
};
