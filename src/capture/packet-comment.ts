/**
 * The packet comment: CTRACE facts no capture field can hold, as one line analysts filter on in Wireshark
 * (`frame.comment contains "discard=4114/"`) and scripts split on. This is a user-facing contract: keep
 * keys, order and value forms stable; add new keys only at the end of the fixed list.
 *
 * Grammar:
 *   comment = pair *(" " pair)            ; pairs separated by exactly one space
 *   pair    = key "=" value
 *   value   = 1*(any character but space, tab, newline or another control character)
 *
 * Pairs, in this order; a field that is null (or an empty list) is left out:
 *   rec=<n>              CTRACE record number (1-based among the file's valid entries); always present
 *   fmt=<n>              CTEFMTID in decimal (4 packet trace, 5 data trace, 7 OSAENTA, IDS probe ID)
 *   dev=<name>           device name, or devtype_<n> when only the device type code is known
 *   flags=<a>,<b>        names of the PTH_Flag bits set, comma separated
 *   asid=<XXXX>          address space ID, 4 upper-case hex digits
 *   tcb=<XXXXXXXX>       TCB address, 8 upper-case hex digits
 *   count=<n>            trace count
 *   discard=<code>/<w>   discard reason code, then its table name or, when unknown, its layer
 *                        (e.g. discard=4114/IP_MAC_BRDCST, discard=8215/TCP)
 *   trunc=<incl>/<orig>  bytes present / bytes on the wire, when fewer were traced
 *   seg=<n>,incomplete   entries that carried pieces of a packet whose pieces are not all there
 *   <key>=<value>        component extras (IDS correlator, job name...) in the decoder's insertion order
 *
 * Value spelling: each run of white space or control characters inside a name becomes one "_"
 * ("LCS Ethernet" → LCS_Ethernet, layer "interface and IP" → interface_and_IP); an empty value is "-".
 * Extra keys get the same treatment, and "=" in a key becomes "_", so the first "=" always ends the key.
 */
import type { CtraceMeta, TracePacket } from '../model/trace-packet.js';

const UNSAFE_RUN = /[\s\p{Cc}]+/gu;
const HAS_UNSAFE = /[\s\p{Cc}]/u;

/** A name as one comment value: no spaces or control characters, never empty. */
export function commentValue(text: string): string {
  if (text.length === 0) return '-';
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE_RUN, '_') : text;
}

function commentKey(text: string): string {
  return commentValue(text).replaceAll('=', '_');
}

function hex(value: number, digits: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}

function deviceLabel(meta: CtraceMeta): string | null {
  if (meta.deviceName !== null && meta.deviceName.length > 0) return commentValue(meta.deviceName);
  return meta.deviceType === null ? null : `devtype_${meta.deviceType}`;
}

/** Built by concatenation: it runs once per packet, so no intermediate arrays. Null without CTRACE facts. */
export function packetComment(packet: TracePacket): string | null {
  const meta = packet.ctrace;
  if (meta === null) return null;
  let text = `rec=${meta.recordNumber} fmt=${meta.formatId}`;
  const device = deviceLabel(meta);
  if (device !== null) text += ` dev=${device}`;
  if (meta.flagNames.length > 0) text += ` flags=${meta.flagNames.map(commentValue).join(',')}`;
  if (meta.asid !== null) text += ` asid=${hex(meta.asid, 4)}`;
  if (meta.tcb !== null) text += ` tcb=${hex(meta.tcb, 8)}`;
  if (meta.traceCount !== null) text += ` count=${meta.traceCount}`;
  if (meta.discard !== null) text += ` discard=${meta.discard.code}/${commentValue(meta.discard.name ?? meta.discard.layer)}`;
  if (meta.truncated || packet.data.length < packet.originalLength) text += ` trunc=${packet.data.length}/${packet.originalLength}`;
  if (meta.segments?.incomplete === true) text += ` seg=${meta.segments.received},incomplete`;
  for (const key in meta.extra) text += ` ${commentKey(key)}=${commentValue(String(meta.extra[key]))}`;
  return text;
}
