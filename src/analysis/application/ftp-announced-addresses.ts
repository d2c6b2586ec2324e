/**
 * FTP data-port announcements that name another host than the control connection's (exception-catalog
 * FTP-01's "PORT address ≠ control-connection client IP"):
 *  - PORT/EPRT naming an address other than the client's: a client behind NAT whose gateway does not
 *    rewrite FTP commands (the server then connects to a private address and fails), or an FTP bounce,
 *    where the client makes the server connect to a third host;
 *  - a 227 (PASV) reply naming an address other than the server the client reached: a server behind NAT
 *    that announces its private address; the client's data connection goes nowhere unless its FTP client
 *    substitutes the control connection's address.
 * Checked once per announcement, never per packet; one finding per kind, expected and announced address.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { FtpSession } from './ftp-control-tracker.js';
import type { HostPort } from './ftp-control-parser.js';
import { FindingGroups } from '../finding-groups.js';

/** Which side announced the data port: the client (PORT/EPRT) or the server (227). */
export type AnnouncingSide = 'client' | 'server';

const WORDING = {
  client: {
    command: 'PORT/EPRT',
    title: (announced: string, expected: string) => `FTP PORT names ${announced}, not the client ${expected}`,
    explanation: (announced: string, expected: string) =>
      `The client ${expected} announced its data port at ${announced}, another address than the one its control connection ` +
      'comes from. Either the client sits behind NAT and the gateway does not rewrite FTP commands (the server then ' +
      'connects to an address it cannot reach, and the transfer fails or waits), or the client is bouncing the server\'s ' +
      'data connection to a third host (FTP bounce, a way to scan or reach hosts through the server). On z/OS, FTP.DATA ' +
      'PORTCOMMANDIPADDR REJECT and PORTCOMMANDPORT REJECT refuse such commands.',
  },
  server: {
    command: 'PASV 227',
    title: (announced: string, expected: string) => `FTP PASV reply names ${announced}, not the server ${expected}`,
    explanation: (announced: string, expected: string) =>
      `The server the client reached at ${expected} told it to open the data connection to ${announced}. A server ` +
      'behind NAT announcing its private address does this: the client\'s data connection goes to an address it cannot ' +
      'reach, unless its FTP client substitutes the control connection\'s address or a gateway rewrites the reply. ' +
      'EPSV (229), which names only a port, avoids it.',
  },
} as const;

export class FtpAnnouncedAddresses {
  private readonly groups: FindingGroups;

  constructor(maxFindingGroups: number) {
    this.groups = new FindingGroups(maxFindingGroups);
  }

  /** Checks one announcement against the control connection's address of the side that made it. */
  check(side: AnnouncingSide, session: FtpSession, target: HostPort, p: AnalyzedPacket): void {
    const expected = side === 'client' ? session.client : session.server;
    if (target.address === expected) return;
    const wording = WORDING[side];
    const group = this.groups.get(`${side}|${expected}|${target.address}`, () => ({
      rule: 'ftp.data_address_mismatch',
      category: 'application',
      severity: 'warning',
      title: wording.title(target.address, expected),
      explanation: wording.explanation(target.address, expected),
      subject: { host: expected, service: 'ftp' },
    }));
    group.add(p, `${wording.command} names ${target.address} port ${target.port}, the control connection is ${session.label}`);
    group.listDetail('announcedAddresses', target.address);
    group.listDetail('controlConnections', session.label);
    group.details['announcedBy'] = side;
  }

  findings(): Finding[] {
    return this.groups.findings();
  }
}
