/**
 * A TCP connection's state in Zeek's terms (analysis.md §2): each endpoint moves through a small state
 * machine as its segments are seen, and the connection's conn_state is a pure function of the two
 * endpoint states and a few facts. The history string uses Zeek's letters, upper case for the originator:
 * S syn, H syn-ack, A pure ack, D data, F fin, R rst, T retransmission, W zero window (each once).
 */
import { TcpFlags } from '../../net/tcp-header.js';

export const EndpointState = {
  INACTIVE: 0,
  SYN_SENT: 1,
  SYN_ACK_SENT: 2,
  /** Seen mid-stream: no SYN from this side. */
  PARTIAL: 3,
  ESTABLISHED: 4,
  CLOSED: 5,
  RESET: 6,
} as const;
export type EndpointStateValue = (typeof EndpointState)[keyof typeof EndpointState];

/** What conn_state reads besides the two states. */
export interface ConnectionFacts {
  originatorState: EndpointStateValue;
  responderState: EndpointStateValue;
  originatorPayloadBytes: number;
  responderPayloadBytes: number;
  originatorSentSyn: boolean;
  responderSentSynAck: boolean;
}

/** One endpoint's next state after it sent a segment with `flags`, given the peer's state. */
export function nextState(own: EndpointStateValue, peer: EndpointStateValue, flags: number): EndpointStateValue {
  if ((flags & TcpFlags.RST) !== 0) return EndpointState.RESET;
  if (own === EndpointState.RESET) return own;
  const syn = (flags & TcpFlags.SYN) !== 0;
  const ack = (flags & TcpFlags.ACK) !== 0;
  if (syn) {
    if (own !== EndpointState.INACTIVE && own !== EndpointState.SYN_SENT) return own;
    return ack ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT;
  }
  if ((flags & TcpFlags.FIN) !== 0) return EndpointState.CLOSED;
  if (own === EndpointState.INACTIVE) return EndpointState.PARTIAL;
  const opening = own === EndpointState.SYN_SENT || own === EndpointState.SYN_ACK_SENT;
  if (opening && ack && peer !== EndpointState.INACTIVE) return EndpointState.ESTABLISHED;
  return own;
}

/** The peer's state after this endpoint's ACK: a SYN-ACK sender becomes established when its SYN-ACK is acknowledged. */
export function peerStateAfterAck(peer: EndpointStateValue, own: EndpointStateValue, flags: number): EndpointStateValue {
  const pureAck = (flags & (TcpFlags.SYN | TcpFlags.RST | TcpFlags.ACK)) === TcpFlags.ACK;
  if (pureAck && peer === EndpointState.SYN_ACK_SENT && own === EndpointState.ESTABLISHED) return EndpointState.ESTABLISHED;
  return peer;
}

function inactive(state: EndpointStateValue): boolean {
  return state === EndpointState.INACTIVE || state === EndpointState.PARTIAL;
}

/** Zeek's conn_state: S0, REJ, S1, SF, S2, S3, RSTO, RSTR, RSTOS0, RSTOH, RSTRH, SH, SHR, OTH. */
export function connState(f: ConnectionFacts): string {
  const os = f.originatorState;
  const rs = f.responderState;
  if (rs === EndpointState.RESET) {
    const noData = f.originatorPayloadBytes === 0 && f.responderPayloadBytes === 0;
    if (os === EndpointState.SYN_SENT || os === EndpointState.SYN_ACK_SENT || (os === EndpointState.RESET && noData)) return 'REJ';
    return inactive(os) ? 'RSTRH' : 'RSTR';
  }
  if (os === EndpointState.RESET) {
    if (!inactive(rs)) return 'RSTO';
    return f.originatorSentSyn && !f.responderSentSynAck ? 'RSTOS0' : 'RSTOH';
  }
  if (os === EndpointState.CLOSED && rs === EndpointState.CLOSED) return 'SF';
  if (os === EndpointState.CLOSED) return inactive(rs) ? 'SH' : 'S2';
  if (rs === EndpointState.CLOSED) return inactive(os) ? 'SHR' : 'S3';
  if (os === EndpointState.SYN_SENT && rs === EndpointState.INACTIVE) return 'S0';
  if (os === EndpointState.ESTABLISHED && rs === EndpointState.ESTABLISHED) return 'S1';
  return 'OTH';
}

/** What each conn_state means, for the report's glossary and finding text. */
export const CONN_STATE_MEANING: Readonly<Record<string, string>> = {
  S0: 'connection attempt seen, no reply',
  REJ: 'connection attempt rejected (RST)',
  S1: 'established, not closed',
  SF: 'normal establishment and termination',
  S2: 'established, close attempt by the originator only (no reply from the responder)',
  S3: 'established, close attempt by the responder only (no reply from the originator)',
  RSTO: 'established, the originator aborted (RST)',
  RSTR: 'established, the responder aborted (RST)',
  RSTOS0: 'the originator sent a SYN and then a RST; no SYN-ACK from the responder',
  RSTOH: 'the originator sent a RST; the responder was never seen opening',
  RSTRH: 'the responder sent a RST; the originator was never seen opening',
  SH: 'the originator sent a SYN and then a FIN; no SYN-ACK from the responder (half open)',
  SHR: 'the responder sent a SYN-ACK and then a FIN; no SYN from the originator was seen',
  OTH: 'no SYN seen: the trace caught the connection in mid-stream',
};
