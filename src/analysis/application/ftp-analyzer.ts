/**
 * The FTP analyzer: one control-channel tracker feeding the FTP detectors — negative replies, failed
 * logins, brute force, and the data connections the control channel announced.
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { PacketRow } from '../../report/report-model.js';
import { LateEvidenceRows } from '../evidence-rows.js';
import type { Thresholds } from '../thresholds.js';
import { FtpBruteForce } from './ftp-brute-force.js';
import { FtpControlTracker } from './ftp-control-tracker.js';
import { FtpDataChannel } from './ftp-data-channel.js';
import { FtpErrorReplies } from './ftp-error-replies.js';
import { FtpLoginFailures } from './ftp-login-failures.js';

export class FtpAnalyzer implements PacketAnalyzer {
  readonly name = 'ftp';
  private readonly control: FtpControlTracker;
  private readonly dataChannel: FtpDataChannel;
  private readonly errorReplies: FtpErrorReplies;
  private readonly loginFailures: FtpLoginFailures;
  private readonly bruteForce: FtpBruteForce;
  private readonly lateRows: LateEvidenceRows;

  constructor(t: Thresholds) {
    this.lateRows = new LateEvidenceRows(t.packetsListedEvidence);
    this.dataChannel = new FtpDataChannel({
      waitSec: t.ftpDataConnectionWaitSec,
      synAttempts: t.ftpDataSynAttempts,
      maxTracked: t.maxTrackedConnections,
      maxFindingGroups: t.maxFindingGroups,
      lateRows: this.lateRows,
    });
    this.errorReplies = new FtpErrorReplies(t.maxFindingGroups);
    this.loginFailures = new FtpLoginFailures(t.maxFindingGroups);
    this.bruteForce = new FtpBruteForce({
      sessions: t.bruteForceSessions,
      windowSec: t.bruteForceWindowSec,
      failedLogins: t.bruteForceFailedLogins,
      failedLoginWindowSec: t.bruteForceFailedLoginWindowSec,
      shortSessionSec: t.ftpShortSessionSec,
      maxTrackedPairs: t.maxTrackedHosts,
    });
    this.control = new FtpControlTracker(t.maxTrackedConnections, [this.dataChannel, this.errorReplies, this.loginFailures, this.bruteForce], this.lateRows);
  }

  observe(p: AnalyzedPacket): void {
    if (p.tcp === null) return;
    this.control.observe(p);
    this.dataChannel.observe(p);
  }

  finish(): Finding[] {
    this.control.finish();
    const bruteForce = this.bruteForce.finish();
    return [...bruteForce, ...this.loginFailures.finish(this.bruteForce.reportedPairs), ...this.dataChannel.finish(), ...this.errorReplies.finish()];
  }

  /** Rows of the packets held as evidence until their findings were known (see evidence-rows.ts). */
  lateEvidenceRows(): PacketRow[] {
    return this.lateRows.rows;
  }
}
