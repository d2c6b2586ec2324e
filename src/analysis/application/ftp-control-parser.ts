/**
 * The FTP control language (RFC 959, RFC 2428): command lines, reply lines, and the data addresses that
 * PORT, EPRT, 227 and 229 announce. Pure functions over one line of text.
 */

/** The control connection's well-known port (RFC 959). */
export const FTP_CONTROL_PORT = 21;

export interface FtpCommand {
  /** Upper case, e.g. "USER", "PORT". */
  verb: string;
  argument: string;
}

export interface FtpReplyLine {
  code: number;
  /** "ddd-" opens a multi-line reply; "ddd " (or the bare code) is a reply's last line. */
  continues: boolean;
  text: string;
}

export interface HostPort {
  address: string;
  port: number;
}

/** Commands are 3 or 4 letters (RFC 959 §5.3.1), then a space and the argument, or nothing. */
const COMMAND = /^([A-Za-z]{3,4})(?: (.*))?$/;
const REPLY = /^([1-5]\d\d)([ -]|$)(.*)$/;
/** Six decimal fields h1,h2,h3,h4,p1,p2 anywhere in the text (servers differ on the brackets around them). */
const HOST_PORT = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/;
/** RFC 2428 §2: "<d>proto<d>address<d>port<d>" with a delimiter chosen by the client. */
const EPRT_ARGUMENT = /^([!-~])([12])\1([^\s]+?)\1(\d{1,5})\1$/;
/** RFC 2428 §3: "(<d><d><d>port<d>)". */
const EPSV_REPLY = /\(([!-~])\1\1(\d{1,5})\1\)/;

export function parseFtpCommand(line: string): FtpCommand | null {
  const match = COMMAND.exec(line.trimEnd());
  if (match === null) return null;
  return { verb: (match[1] ?? '').toUpperCase(), argument: match[2] ?? '' };
}

export function parseReplyLine(line: string): FtpReplyLine | null {
  const match = REPLY.exec(line);
  if (match === null) return null;
  return { code: Number(match[1]), continues: match[2] === '-', text: (match[3] ?? '').trim() };
}

/** "137,72,43,137,40,196" → 137.72.43.137 port 40×256+196 = 10436; null when a field is out of range. */
export function parseHostPort(text: string): HostPort | null {
  const match = HOST_PORT.exec(text);
  if (match === null) return null;
  const fields = match.slice(1, 7).map(Number);
  if (fields.some((n) => n > 255)) return null;
  const [h1, h2, h3, h4, p1, p2] = fields as [number, number, number, number, number, number];
  const port = p1 * 256 + p2;
  return port === 0 ? null : { address: `${h1}.${h2}.${h3}.${h4}`, port };
}

/** "|1|132.235.1.2|6275|" or "|2|1080::8:800:200c:417a|5282|" → address and port. */
export function parseEprtArgument(argument: string): HostPort | null {
  const match = EPRT_ARGUMENT.exec(argument.trim());
  if (match === null) return null;
  const port = Number(match[4]);
  if (port === 0 || port > 65535) return null;
  const address = match[2] === '1' ? ipv4Text(match[3] ?? '') : ipv6Text(match[3] ?? '');
  return address === null ? null : { address, port };
}

function ipv4Text(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null;
  return parts.map(Number).join('.');
}

/** The canonical (RFC 5952-style) text of an IPv6 address, as packets' addresses are written; null if invalid. */
function ipv6Text(text: string): string | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** "Entering Extended Passive Mode (|||6446|)" → 6446 (the address is the control connection's server). */
export function parseEpsvPort(text: string): number | null {
  const match = EPSV_REPLY.exec(text);
  if (match === null) return null;
  const port = Number(match[2]);
  return port === 0 || port > 65535 ? null : port;
}
