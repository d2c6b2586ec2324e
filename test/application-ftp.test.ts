import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseEprtArgument, parseEpsvPort, parseFtpCommand, parseHostPort, parseReplyLine } from '../src/analysis/application/ftp-control-parser.js';
import { LineAssembler, MAX_LINE_BYTES } from '../src/analysis/application/stream-lines.js';
import { createApplicationAnalyzers } from '../src/analysis/application/index.js';
import { labels, ofRule, runAnalyzers, summary, writeFrames } from './support/application-harness.js';
import {
  BRUTE_FORCE_USERS,
  type FtpLine,
  TcpScript,
  TlsVersion,
  clientHello,
  tlsAlert,
  tlsRecord,
  ftpBruteForce,
  ftpControlSession,
  ftpGoodPasv,
  ftpPasvSynUnanswered,
  ftpPortNoDataConnection,
  inTimeOrder,
  normalFtpSession,
  textBytes,
  unixSeconds,
} from './support/scenario-packets.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';
import { tsharkFields } from './support/tshark.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const START = unixSeconds('2024-05-06T08:00:00Z');
const CLIENT = { address: '10.20.30.40', port: 40001 };
const SERVER = { address: '10.1.1.10', port: 21 };

function session(lines: readonly FtpLine[], client = CLIENT, atMs = 0, close: 'fin' | 'rst' | 'open' = 'fin'): BuiltFrame[] {
  return ftpControlSession(client, SERVER, START, atMs, lines, { close }).script.frames;
}

describe('FTP control language', () => {
  it('reads PORT and 227 addresses as h1.h2.h3.h4 and p1×256+p2 (the case studies\' numbers)', () => {
    expect(parseHostPort('137,72,43,137,40,196')).to.deep.equal({ address: '137.72.43.137', port: 10436 });
    expect(parseHostPort('Entering Passive Mode (192,233,80,108,89,23)')).to.deep.equal({ address: '192.233.80.108', port: 22807 });
    expect(parseHostPort('Entering Passive Mode (137,72,43,207,14,95).')).to.deep.equal({ address: '137.72.43.207', port: 3679 });
    expect(parseHostPort('1,2,3,4,256,1'), 'a field above 255').to.equal(null);
    expect(parseHostPort('1,2,3,4,5'), 'five fields').to.equal(null);
  });

  it('reads EPRT and EPSV as RFC 2428 writes them', () => {
    expect(parseEprtArgument('|1|132.235.1.2|6275|')).to.deep.equal({ address: '132.235.1.2', port: 6275 });
    expect(parseEprtArgument('|2|1080::8:800:200C:417A|5282|')).to.deep.equal({ address: '1080::8:800:200c:417a', port: 5282 });
    expect(parseEprtArgument('!1!10.0.0.1!21!'), 'any delimiter').to.deep.equal({ address: '10.0.0.1', port: 21 });
    expect(parseEprtArgument('|1|300.1.1.1|21|')).to.equal(null);
    expect(parseEprtArgument('|2|not-an-address|21|')).to.equal(null);
    expect(parseEpsvPort('Entering Extended Passive Mode (|||6446|)')).to.equal(6446);
    expect(parseEpsvPort('Entering Extended Passive Mode')).to.equal(null);
  });

  it('reads commands and reply lines, multi-line markers included', () => {
    expect(parseFtpCommand('user ADMIN')).to.deep.equal({ verb: 'USER', argument: 'ADMIN' });
    expect(parseFtpCommand('PASV')).to.deep.equal({ verb: 'PASV', argument: '' });
    expect(parseFtpCommand('230 logged in')).to.equal(null);
    expect(parseReplyLine('220-Welcome')).to.deep.equal({ code: 220, continues: true, text: 'Welcome' });
    expect(parseReplyLine('530 Login incorrect.')).to.deep.equal({ code: 530, continues: false, text: 'Login incorrect.' });
    expect(parseReplyLine('221')).to.deep.equal({ code: 221, continues: false, text: '' });
    expect(parseReplyLine('Welcome line')).to.equal(null);
  });
});

describe('Control-channel lines across TCP segments', () => {
  function collect(): { lines: [string, boolean][]; assembler: LineAssembler } {
    const lines: [string, boolean][] = [];
    return { lines, assembler: new LineAssembler((line, complete) => lines.push([line, complete])) };
  }

  it('joins a line split over two segments and reads a retransmission once', () => {
    const { lines, assembler } = collect();
    const part1 = textBytes('US');
    const part2 = textBytes('ER admin\r\nPASS x\r\n');
    assembler.syn(999);
    assembler.feed(1000, part1, 0, part1.length, part1.length);
    assembler.feed(1002, part2, 0, part2.length, part2.length);
    assembler.feed(1002, part2, 0, part2.length, part2.length); // retransmitted
    assembler.feed(1000, part1, 0, part1.length, part1.length);
    expect(lines).to.deep.equal([
      ['USER admin', true],
      ['PASS x', true],
    ]);
  });

  it('reads only the new bytes of a segment that overlaps what was seen', () => {
    const { lines, assembler } = collect();
    const first = textBytes('TYPE I\r\nPA');
    const overlap = textBytes('PASV\r\n');
    assembler.feed(5000, first, 0, first.length, first.length);
    assembler.feed(5008, overlap, 0, overlap.length, overlap.length);
    expect(lines).to.deep.equal([
      ['TYPE I', true],
      ['PASV', true],
    ]);
  });

  it('marks a line that lost bytes to a gap or to the capture as incomplete', () => {
    const { lines, assembler } = collect();
    const a = textBytes('227 Entering Passive Mode (10,');
    const b = textBytes('1,1,1,4,1)\r\n');
    assembler.feed(0, a, 0, a.length, a.length);
    assembler.feed(a.length + 5, b, 0, b.length, b.length); // 5 bytes never captured
    const cut = textBytes('200 OK\r\n230 x');
    assembler.feed(a.length + 5 + b.length, cut, 0, 8, cut.length + 20); // snapped: the rest not kept
    expect(lines).to.deep.equal([
      ['227 Entering Passive Mode (10,', false],
      ['1,1,1,4,1)', false],
      ['200 OK', true],
    ]);
  });

  it('keeps the head of an overlong line and goes on', () => {
    const { lines, assembler } = collect();
    const long = textBytes(`${'X'.repeat(MAX_LINE_BYTES + 100)}\r\nQUIT\r\n`);
    assembler.feed(1, long, 0, long.length, long.length);
    expect(lines.map(([line, complete]) => [line.length, complete])).to.deep.equal([
      [MAX_LINE_BYTES, false],
      [4, true],
    ]);
  });
});

describe('FTP findings', () => {
  it('active FTP, PORT with no SYN to the announced port (case E.3): error naming the port', () => {
    const findings = runAnalyzers(ftpPortNoDataConnection().frames);
    const [finding, ...more] = ofRule(findings, 'ftp.port_no_data_connection');
    expect(more, summary(findings).join('\n')).to.deep.equal([]);
    expect(finding?.severity).to.equal('error');
    expect(finding?.title).to.contain('137.72.43.137 port 10436');
    expect(finding?.details['dataPorts']).to.deep.equal(['10436']);
    expect(finding?.details['controlConnections']).to.deep.equal(['137.72.43.137:10432 → 137.72.43.207:21']);
    const notes = finding?.evidence.map((e) => e.note) ?? [];
    expect(notes.some((n) => n.startsWith('PORT 137.72.43.137 port 10436'))).to.equal(true);
    expect(notes.some((n) => n.startsWith('reply 200'))).to.equal(true);
    // The 200 reply retransmitted 7 times is one reply, not eight.
    expect(ofRule(findings, 'ftp.error_reply')).to.deep.equal([]);
  });

  it('a PORT followed by the server\'s SYN, or refused, or at the very end of the trace, is not flagged', () => {
    expect(ofRule(runAnalyzers(normalFtpSession().frames), 'ftp.port_no_data_connection')).to.deep.equal([]);
    const refused = session([
      ['c', 'PORT 10,20,30,40,156,65'],
      ['s', '500 PORT not allowed'],
    ]);
    expect(ofRule(runAnalyzers(refused), 'ftp.port_no_data_connection')).to.deep.equal([]);
    const tooSoon = session([
      ['c', 'PORT 10,20,30,40,156,65'],
      ['s', '200 Port request OK.'],
    ]);
    expect(ofRule(runAnalyzers(tooSoon), 'ftp.port_no_data_connection'), 'the trace ends 40 ms later: too soon to tell').to.deep.equal([]);
  });

  it('passive FTP, SYNs to the 227 port never answered (case E.5): error with the SYN count', () => {
    const findings = runAnalyzers(ftpPasvSynUnanswered().frames);
    const [finding, ...more] = ofRule(findings, 'ftp.data_syn_unanswered');
    expect(more).to.deep.equal([]);
    expect(finding?.severity).to.equal('error');
    expect(finding?.details['mode']).to.equal('passive');
    expect(finding?.details['syns']).to.equal(7);
    expect(finding?.count).to.equal(7);
    expect(finding?.title).to.contain('207.33.247.67 to 192.233.80.108 port 22807');
    expect(finding?.evidence.filter((e) => e.note.startsWith('SYN to the announced data port'))).to.have.length(7);
  });

  it('the extended forms: EPRT with no SYN, EPSV (229) with SYNs unanswered', () => {
    const eprt = ftpControlSession(CLIENT, SERVER, START, 0, [
      ['c', 'EPRT |1|10.20.30.40|6275|'],
      ['s', '200 EPRT command successful.'],
    ], { close: 'open' });
    eprt.script.ack('a', 15000);
    const [never] = ofRule(runAnalyzers(eprt.script.frames), 'ftp.port_no_data_connection');
    expect(never?.details['dataPorts']).to.deep.equal(['6275']);
    const epsv = ftpControlSession(CLIENT, SERVER, START, 0, [
      ['c', 'EPSV'],
      ['s', '229 Entering Extended Passive Mode (|||6446|)'],
    ], { close: 'open' });
    const data = new TcpScript({ address: CLIENT.address, port: 40009 }, { address: SERVER.address, port: 6446 }, START, 1234, 0);
    data.syn(100).synAgain(1100).synAgain(3100);
    const [unanswered] = ofRule(runAnalyzers(inTimeOrder(epsv.script.frames, data.frames)), 'ftp.data_syn_unanswered');
    expect([unanswered?.details['mode'], unanswered?.details['syns'], unanswered?.details['dataPorts']]).to.deep.equal(['passive', 3, ['6446']]);
  });

  it('a good PASV (case E.4) gives no finding at all', () => {
    const findings = runAnalyzers(ftpGoodPasv().frames);
    expect(summary(findings)).to.deep.equal([]);
  });

  it('active mode: the server\'s SYNs to the PORT address repeated without answer', () => {
    const control = ftpControlSession(CLIENT, SERVER, START, 0, [
      ['c', 'PORT 10,20,30,40,156,65'],
      ['s', '200 Port request OK.'],
      ['c', 'RETR FILE'],
    ], { close: 'open' });
    const data = new TcpScript({ address: SERVER.address, port: 20 }, { address: CLIENT.address, port: 156 * 256 + 65 }, START, 77, 0);
    data.syn(200).synAgain(1200).synAgain(3200).synAgain(7200);
    control.script.send('b', 30000, '425 Can\'t open data connection.\r\n');
    const findings = runAnalyzers(inTimeOrder(control.script.frames, data.frames));
    const [unanswered] = ofRule(findings, 'ftp.data_syn_unanswered');
    expect(unanswered?.details['mode']).to.equal('active');
    expect(unanswered?.details['syns']).to.equal(4);
    expect(ofRule(findings, 'ftp.port_no_data_connection'), 'SYNs did come').to.deep.equal([]);
    const [reply] = ofRule(findings, 'ftp.error_reply');
    expect(reply?.severity, '425 is a data-connection failure').to.equal('warning');
    expect(reply?.details['code']).to.equal(425);
  });

  it('a data connection refused by RST, and one reset during the transfer', () => {
    const control = ftpControlSession(CLIENT, SERVER, START, 0, [
      ['c', 'PASV'],
      ['s', '227 Entering Passive Mode (10,1,1,10,117,48)'],
    ], { close: 'open' });
    const refused = new TcpScript({ address: CLIENT.address, port: 40002 }, { address: SERVER.address, port: 117 * 256 + 48 }, START, 5000, 0);
    refused.syn(100).rst('b', 101);
    const findings = runAnalyzers(inTimeOrder(control.script.frames, refused.frames));
    const [reset] = ofRule(findings, 'ftp.data_connection_reset');
    expect(reset?.title).to.contain('refused');
    expect(reset?.details['refused']).to.equal(1);
    expect(ofRule(findings, 'ftp.data_syn_unanswered'), 'a RST is an answer').to.deep.equal([]);

    const control2 = ftpControlSession(CLIENT, SERVER, START, 0, [
      ['c', 'PASV'],
      ['s', '227 Entering Passive Mode (10,1,1,10,117,49)'],
    ], { close: 'open' });
    const transfer = new TcpScript({ address: CLIENT.address, port: 40003 }, { address: SERVER.address, port: 117 * 256 + 49 }, START, 6000, 9000);
    transfer.handshake(100).send('b', 110, 'x'.repeat(500)).rst('a', 120);
    const [midway] = ofRule(runAnalyzers(inTimeOrder(control2.script.frames, transfer.frames)), 'ftp.data_connection_reset');
    expect(midway?.title).to.contain('reset');
    expect(midway?.details['refused']).to.equal(0);
    expect(ofRule(runAnalyzers(ftpGoodPasv().frames), 'ftp.data_connection_reset')).to.deep.equal([]);
  });

  it('negative replies by server and code: 550 a note, 452 a warning; a normal session has none', () => {
    const findings = runAnalyzers(
      session([
        ['c', 'USER ftpuser'],
        ['s', '331 Send password please.'],
        ['c', 'PASS secret'],
        ['s', '230 FTPUSER is logged on.'],
        ['c', "RETR 'NO.SUCH.DATA'"],
        ['s', "550 Data set NO.SUCH.DATA not found"],
        ['c', "RETR 'NOT.THERE'"],
        ['s', '550 Data set NOT.THERE not found'],
        ['c', "STOR 'BIG.FILE'"],
        ['s', '452 Insufficient storage space'],
      ]),
    );
    const replies = ofRule(findings, 'ftp.error_reply');
    expect(replies.map((f) => [f.details['code'], f.severity, f.count])).to.deep.equal([
      [550, 'note', 2],
      [452, 'warning', 1],
    ]);
    expect(replies[0]?.details['commands']).to.deep.equal(['RETR']);
    expect(summary(runAnalyzers(normalFtpSession().frames))).to.deep.equal([]);
  });

  it('failed logins: a warning when the client never got in, a note when it did afterwards', () => {
    const failed = session([
      ['c', 'USER BATCH1'],
      ['s', '331 Send password please.'],
      ['c', 'PASS wrong'],
      ['s', '530 PASS command failed'],
      ['c', 'QUIT'],
      ['s', '221 Goodbye'],
    ]);
    const [warning] = ofRule(runAnalyzers(failed), 'ftp.login_failed');
    expect(warning?.severity).to.equal('warning');
    expect(warning?.details['users']).to.deep.equal(['BATCH1']);
    expect(warning?.count).to.equal(1);
    const typo = session([
      ['c', 'USER TSOUSER'],
      ['s', '331 Send password please.'],
      ['c', 'PASS typo'],
      ['s', '530 PASS command failed'],
      ['c', 'USER TSOUSER'],
      ['s', '331 Send password please.'],
      ['c', 'PASS right'],
      ['s', '230 TSOUSER is logged on.'],
    ]);
    const [note] = ofRule(runAnalyzers(typo), 'ftp.login_failed');
    expect(note?.severity).to.equal('note');
    expect(ofRule(runAnalyzers(typo), 'ftp.error_reply'), 'a failed login is not also a negative reply').to.deep.equal([]);
    expect(ofRule(runAnalyzers(normalFtpSession().frames), 'ftp.login_failed')).to.deep.equal([]);
  });

  it('brute force (case E.6): one error naming the source, sessions, failures and the users cycled', () => {
    const findings = runAnalyzers(ftpBruteForce().frames);
    const [attack, ...more] = ofRule(findings, 'ftp.brute_force');
    expect(more).to.deep.equal([]);
    expect(attack?.severity).to.equal('error');
    expect(attack?.category).to.equal('hostile');
    expect(attack?.subject).to.deep.equal({ host: '69.181.135.56', service: '67.161.39.46:21' });
    expect(attack?.count).to.equal(30);
    expect(attack?.details['failedLogins']).to.equal(29);
    expect(attack?.details['sourcePortStep']).to.equal(3);
    expect(attack?.details['usersTried']).to.have.members(BRUTE_FORCE_USERS);
    expect(ofRule(findings, 'ftp.login_failed'), 'folded into the brute-force finding').to.deep.equal([]);
  });

  it('many short sessions that log in (batch transfers) are not brute force; a few failures are only failed logins', () => {
    const batch: BuiltFrame[][] = [];
    for (let i = 0; i < 15; i++) {
      batch.push(
        session(
          [
            ['c', 'USER BATCHID'],
            ['s', '331 Send password please.'],
            ['c', 'PASS right'],
            ['s', '230 BATCHID is logged on.'],
            ['c', 'QUIT'],
            ['s', '221 Goodbye'],
          ],
          { address: CLIENT.address, port: 41000 + i },
          i * 400,
        ),
      );
    }
    expect(summary(runAnalyzers(inTimeOrder(...batch)))).to.deep.equal([]);
    const few = ftpBruteForce(4);
    const findings = runAnalyzers(few.frames);
    expect(ofRule(findings, 'ftp.brute_force')).to.deep.equal([]);
    expect(ofRule(findings, 'ftp.login_failed')[0]?.count).to.equal(3);
  });

  it('brute force within one session: five passwords refused', () => {
    const lines: FtpLine[] = [['c', 'USER IBMUSER']];
    for (let i = 0; i < 5; i++) lines.push(['s', '331 Send password please.'], ['c', `PASS guess${i}`], ['s', '530 PASS command failed'], ['c', 'USER IBMUSER']);
    const [attack] = ofRule(runAnalyzers(session(lines)), 'ftp.brute_force');
    expect(attack?.details['failedLogins']).to.equal(5);
    expect(attack?.details['usersTried']).to.deep.equal(['IBMUSER']);
  });

  it('after AUTH TLS is accepted (234) the control connection is TLS: no FTP lines read from it, the TLS analyzer follows it', () => {
    const control = ftpControlSession(CLIENT, SERVER, START, 0, [
      ['c', 'AUTH TLS'],
      ['s', '234 Security environment established - ready for negotiation'],
    ], { close: 'open' });
    control.script.send('a', 100, clientHello(TlsVersion.TLS12));
    // Encrypted bytes that happen to hold a reply-shaped line must not be read as one.
    control.script.send('b', 110, tlsRecord(23, TlsVersion.TLS12, [...textBytes('\r\n550 not a reply\r\n')]));
    control.script.send('b', 120, tlsAlert(TlsVersion.TLS12, 2, 42));
    const findings = runAnalyzers(control.script.frames);
    expect(summary(findings)).to.deep.equal([`tls.alert error: TLS fatal alert bad_certificate sent by the server of ${SERVER.address}:21 (1 time)`]);
  });

  it('thresholds are read by name: more sessions needed, no brute force', () => {
    const analyzers = createApplicationAnalyzers({ bruteForceSessions: 40, bruteForceFailedLogins: 40 });
    const findings = runAnalyzers(ftpBruteForce().frames, analyzers);
    expect(ofRule(findings, 'ftp.brute_force')).to.deep.equal([]);
    expect(ofRule(findings, 'ftp.login_failed')[0]?.count).to.equal(29);
  });
});

describe('FTP labels match tshark\'s FTP decode', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-ftp-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const scenarios = [ftpPortNoDataConnection(), ftpPasvSynUnanswered(), ftpGoodPasv(), ftpBruteForce(), normalFtpSession()];

  for (const scenario of scenarios) {
    it(`${scenario.name}: ftp.request.command / ftp.response.code`, async function () {
      if (!HAVE_TSHARK) this.skip();
      const path = join(scratch, `${scenario.name.replace(/\W+/g, '-')}.pcap`);
      await writeFrames(path, scenario.frames);
      const ours = labels(scenario.frames);
      const rows = tsharkFields(path, ['frame.number', 'tcp.srcport', 'tcp.dstport', 'ftp.request.command', 'ftp.response.code', 'tcp.analysis.retransmission']);
      let checked = 0;
      for (const [frame, sport, dport, command, code, retransmission] of rows) {
        // tshark leaves retransmitted segments undecoded; our label is the same as the original's (the D4 tool's way).
        if ((sport !== '21' && dport !== '21') || retransmission !== '') continue;
        const label = ours[Number(frame)];
        const expected = command !== '' ? `ftp command ${command}` : code !== '' ? `ftp reply code ${code}` : null;
        expect(label, `frame ${frame}`).to.equal(expected);
        if (expected !== null) checked++;
      }
      expect(checked).to.be.greaterThan(3);
    });
  }
});

describe('FTP data-port announcements naming another host (NAT, FTP bounce)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-ftp-nat-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const portElsewhere = (): BuiltFrame[] =>
    session([
      ['c', 'PORT 192,168,1,5,156,65'],
      ['s', '200 Port request OK.'],
    ]);
  const pasvElsewhere = (): BuiltFrame[] =>
    session([
      ['c', 'PASV'],
      ['s', '227 Entering Passive Mode (172,16,0,9,25,100)'],
    ]);
  const ownAddresses = (): BuiltFrame[] =>
    session([
      ['c', 'PORT 10,20,30,40,156,65'],
      ['s', '200 Port request OK.'],
      ['c', 'PASV'],
      ['s', '227 Entering Passive Mode (10,1,1,10,25,100)'],
      ['c', 'EPSV'],
      ['s', '229 Entering Extended Passive Mode (|||6446|)'],
    ]);

  it('a PORT naming another address than the client\'s: a warning naming both, with the PORT as evidence', () => {
    const findings = runAnalyzers(portElsewhere());
    const [finding, ...more] = ofRule(findings, 'ftp.data_address_mismatch');
    expect(more, summary(findings).join('\n')).to.deep.equal([]);
    expect(finding?.severity).to.equal('warning');
    expect(finding?.subject).to.deep.equal({ host: CLIENT.address, service: 'ftp' });
    expect(finding?.details['announcedBy']).to.equal('client');
    expect(finding?.details['announcedAddresses']).to.deep.equal(['192.168.1.5']);
    expect(finding?.title).to.contain('192.168.1.5').and.to.contain(CLIENT.address);
    expect(finding?.evidence.map((e) => e.note)).to.have.length(1);
    expect(finding?.evidence[0]?.note).to.match(/^PORT\/EPRT names 192\.168\.1\.5 port 40001/);
  });

  it('a 227 reply naming another address than the server the client reached: a warning (server behind NAT)', () => {
    const [finding, ...more] = ofRule(runAnalyzers(pasvElsewhere()), 'ftp.data_address_mismatch');
    expect(more).to.deep.equal([]);
    expect(finding?.subject).to.deep.equal({ host: SERVER.address, service: 'ftp' });
    expect(finding?.details['announcedBy']).to.equal('server');
    expect(finding?.details['announcedAddresses']).to.deep.equal(['172.16.0.9']);
  });

  it('announcements of the control connection\'s own addresses, EPSV, a normal session and a good PASV give none', () => {
    for (const frames of [ownAddresses(), normalFtpSession().frames, ftpGoodPasv().frames, ftpPortNoDataConnection().frames]) {
      expect(ofRule(runAnalyzers(frames), 'ftp.data_address_mismatch')).to.deep.equal([]);
    }
  });

  it('fires exactly where tshark marks the announcement as NAT (ftp.active.nat / ftp.passive.nat)', async function () {
    if (!HAVE_TSHARK) this.skip();
    const cases: [string, BuiltFrame[]][] = [
      ['port-elsewhere', portElsewhere()],
      ['pasv-elsewhere', pasvElsewhere()],
      ['own-addresses', ownAddresses()],
    ];
    for (const [name, frames] of cases) {
      const path = join(scratch, `${name}.pcap`);
      await writeFrames(path, frames);
      // tshark adds the .nat flag only to an announcement whose address differs from the sender's.
      const rows = tsharkFields(path, ['ftp.active.nat', 'ftp.passive.nat'], { filter: 'ftp.active.cip || ftp.passive.ip' });
      const tsharkSaysNat = rows.some((fields) => fields.includes('1'));
      expect(rows.length, `${name}: tshark decodes the announcements`).to.be.greaterThan(0);
      expect(ofRule(runAnalyzers(frames), 'ftp.data_address_mismatch').length > 0, name).to.equal(tsharkSaysNat);
    }
  });
});
