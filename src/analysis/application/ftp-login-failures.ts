/**
 * Failed FTP logins (spec FTP-04): a 530 reply to USER, PASS or ACCT, collected per client and server
 * with the user names tried. A login that succeeds after a failure (a mistyped password) is a note; failures
 * without success are a warning. Pairs already reported as brute force are left to that finding.
 */
import type { Finding } from '../finding.js';
import { endpointText } from '../address.js';
import { CappedList, FindingEvidence, CappedGroups, OTHER_GROUP } from '../finding-groups.js';
import type { FtpControlListener, FtpSession } from './ftp-control-tracker.js';

class LoginGroup {
  readonly evidence = new FindingEvidence();
  readonly users = new CappedList(30);
  sessions = 0;
  /** Sessions with a failure and no successful login. */
  sessionsNeverLoggedIn = 0;
}

/** The key of a client and server pair, shared with the brute-force detector. */
export function loginPairKey(session: FtpSession): string {
  return `${session.client}|${endpointText(session.server, session.serverPort)}`;
}

export class FtpLoginFailures implements FtpControlListener {
  private readonly groups: CappedGroups<LoginGroup>;

  constructor(maxFindingGroups: number) {
    this.groups = new CappedGroups(maxFindingGroups, () => new LoginGroup());
  }

  sessionEnd(session: FtpSession): void {
    if (session.failedLogins === 0) return;
    const group = this.groups.get(loginPairKey(session));
    group.sessions++;
    if (!session.loggedIn) group.sessionsNeverLoggedIn++;
    group.evidence.count += session.failedLogins;
    group.evidence.absorb(session.evidence);
    for (const user of session.users) group.users.add(user);
  }

  /** The findings, leaving out the pairs in `reportedElsewhere` (keys of loginPairKey). */
  finish(reportedElsewhere: ReadonlySet<string>): Finding[] {
    const findings: Finding[] = [];
    for (const [key, g] of this.groups.entries()) {
      if (reportedElsewhere.has(key)) continue;
      const [client, server] = key === OTHER_GROUP ? ['(other clients)', '(other servers)'] : key.split('|');
      const failures = g.evidence.count;
      const users = g.users.size === 0 ? '' : ` (user ${g.users.text()})`;
      findings.push(
        g.evidence.toFinding('ftp.login_failed', 'application', g.sessionsNeverLoggedIn > 0 ? 'warning' : 'note', {
          title: `FTP login failed ${failures} ${failures === 1 ? 'time' : 'times'} for ${client} on ${server}${users}`,
          explanation:
            'The FTP server answered a login command (USER, PASS or ACCT) with 530 "not logged in": an unknown user ID, a wrong ' +
            'password, or a user the server does not allow. ' +
            (g.sessionsNeverLoggedIn > 0
              ? 'At least one session never logged in: check the user ID and password the client (or batch job) uses, and the security product log on the server.'
              : 'Every session logged in afterwards: most likely a mistyped password.'),
          subject: { host: client, service: server },
          details: { failedLogins: failures, sessions: g.sessions, sessionsNeverLoggedIn: g.sessionsNeverLoggedIn, users: g.users.values },
        }),
      );
    }
    return findings;
  }
}
