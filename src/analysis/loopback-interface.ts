/**
 * Whether a packet was traced on the stack's loopback interface (LOOPBACK, LOOPBACK6, or a device named
 * so): traffic there never crossed a network, so address and routing checks leave it alone.
 */
import type { TracePacket } from '../model/trace-packet.js';

const LOOPBACK_NAME = /loopback/i;

export function onLoopbackInterface(packet: TracePacket): boolean {
  return LOOPBACK_NAME.test(packet.interface.name) || LOOPBACK_NAME.test(packet.ctrace?.deviceName ?? '');
}
