/**
 * FTP negative replies (4xx transient, 5xx permanent; spec FTP-06) by server and code, with the commands
 * that drew them. A 530 to a login command is a failed login, reported by ftp-login-failures.ts instead.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import { endpointText } from '../address.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import { isFailedLoginReply, type FtpControlListener, type FtpSession } from './ftp-control-tracker.js';
import { ftpReplyMeaning } from './application-tables.js';

class ReplyGroup {
  readonly evidence = new FindingEvidence();
  readonly commands = new CappedList(15);
  readonly texts = new CappedList(5);
  readonly clients = new CappedList(15);
  constructor(
    readonly server: string,
    readonly code: number,
  ) {}
}

export class FtpErrorReplies implements FtpControlListener {
  private readonly groups: CappedGroups<ReplyGroup>;

  constructor(maxFindingGroups: number) {
    this.groups = new CappedGroups(maxFindingGroups, (key) => {
      const [server, code] = key === OTHER_GROUP ? ['(other servers)', '0'] : key.split('|');
      return new ReplyGroup(server ?? '', Number(code));
    });
  }

  reply(session: FtpSession, code: number, text: string, _complete: boolean, p: AnalyzedPacket): void {
    if (code < 400 || isFailedLoginReply(session, code)) return;
    const server = endpointText(session.server, session.serverPort);
    const group = this.groups.get(`${server}|${code}`);
    const command = session.lastCommand ?? '(none)';
    group.evidence.add(p, `reply ${code} ${text}`.trim() + ` to ${command}`);
    group.commands.add(command);
    if (text !== '') group.texts.add(text);
    group.clients.add(session.client);
  }

  finish(): Finding[] {
    return this.groups.entries().map(([, g]) => {
      const { meaning, severity } = g.code === 0 ? { meaning: 'various', severity: 'note' as const } : ftpReplyMeaning(g.code);
      const codeText = g.code === 0 ? 'various codes' : `${g.code} (${meaning})`;
      return g.evidence.toFinding('ftp.error_reply', 'application', severity, {
        title: `FTP server ${g.server} replied ${codeText} ${g.evidence.count} ${g.evidence.count === 1 ? 'time' : 'times'}`,
        explanation:
          `The FTP server refused or failed requests: 4xx replies are transient (the same request may work later), 5xx ` +
          `permanent. Commands answered: ${g.commands.text()}.`,
        subject: { host: g.server, service: 'ftp' },
        details: { code: g.code, meaning, replies: g.evidence.count, commands: g.commands.values, replyTexts: g.texts.values, clients: g.clients.values },
      });
    });
  }
}
