import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { clientHelloMaxVersion, isGrease, readRecordHeader, serverHelloVersion } from '../src/analysis/application/tls-records.js';
import { TlsDirection } from '../src/analysis/application/tls-stream.js';
import { labels, ofRule, runAnalyzers, summary, writeFrames } from './support/application-harness.js';
import { TcpScript, TlsVersion, clientHello, inTimeOrder, serverHello, tlsAlert, tlsRecord, unixSeconds } from './support/scenario-packets.js';
import type { BuiltFrame } from './support/tcp-frame-builder.js';
import { tsharkFields } from './support/tshark.js';

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;
const START = unixSeconds('2024-05-06T12:00:00Z');
const SERVER = '10.1.1.20';
let nextPort = 50000;

/** A TCP connection from a fresh client port to SERVER:port, handshake done, ready for TLS records. */
function connection(port = 443): TcpScript {
  const s = new TcpScript({ address: '10.20.30.40', port: nextPort++ }, { address: SERVER, port }, START, 100_000, 200_000);
  return s.handshake(0);
}

const TLS13_OFFER = [TlsVersion.TLS13, TlsVersion.TLS12];

describe('TLS record and hello reading', () => {
  it('reads the versions a ClientHello offers and a ServerHello selects, ignoring GREASE', () => {
    const ch = clientHello(TlsVersion.TLS12, TLS13_OFFER);
    expect(clientHelloMaxVersion(ch, 9, ch.length)).to.equal(TlsVersion.TLS13);
    const legacy = clientHello(TlsVersion.TLS10);
    expect(clientHelloMaxVersion(legacy, 9, legacy.length), 'no extension: the legacy field').to.equal(TlsVersion.TLS10);
    const sh13 = serverHello(TlsVersion.TLS12, TlsVersion.TLS13);
    expect(serverHelloVersion(sh13, 9, sh13.length)).to.equal(TlsVersion.TLS13);
    const sh10 = serverHello(TlsVersion.TLS10);
    expect(serverHelloVersion(sh10, 9, sh10.length)).to.equal(TlsVersion.TLS10);
    expect([isGrease(0x0a0a), isGrease(0xfafa), isGrease(0x0303), isGrease(0x0a1a)]).to.deep.equal([true, true, false, false]);
    expect(clientHelloMaxVersion(ch, 9, 30), 'cut short').to.equal(-1);
  });

  it('takes only plausible record headers', () => {
    expect(readRecordHeader(tlsAlert(TlsVersion.TLS12, 2, 40), 0, 7)).to.deep.equal({ type: 21, version: 0x0303, length: 2 });
    expect(readRecordHeader(new Uint8Array([0x17, 0x02, 0x00, 0x00, 0x10]), 0, 5), 'version 2.0').to.equal(null);
    expect(readRecordHeader(new Uint8Array([0x30, 0x03, 0x03, 0x00, 0x10]), 0, 5), 'content type 48').to.equal(null);
    expect(readRecordHeader(new Uint8Array([0x17, 0x03, 0x03, 0x50, 0x00]), 0, 5), 'longer than 2^14 + 2048').to.equal(null);
  });

  it('rebuilds records across segments: a hello in three pieces, a header cut in two, a retransmission', () => {
    const seen: string[] = [];
    const direction = new TlsDirection({
      record: (type, length) => seen.push(`record ${type} ${length}`),
      alert: (level, description) => seen.push(`alert ${level} ${description}`),
      encryptedAlert: () => seen.push('encrypted alert'),
      hello: (bytes, length) => seen.push(`hello type ${bytes[0]} ${length} bytes, offers ${clientHelloMaxVersion(bytes, 4, length).toString(16)}`),
    });
    const stream = new Uint8Array([...clientHello(TlsVersion.TLS12, TLS13_OFFER, 1500), ...tlsAlert(TlsVersion.TLS12, 1, 90), ...tlsRecord(21, TlsVersion.TLS12, new Array<number>(26).fill(7))]);
    const helloLength = stream.length - 7 - 31 - 5;
    const alertAt = 5 + helloLength;
    const cuts = [0, 700, 1400, alertAt + 3, stream.length]; // the third cut falls inside the alert's header
    for (let i = 0; i + 1 < cuts.length; i++) {
      const piece = stream.subarray(cuts[i], cuts[i + 1]);
      direction.feed(1000 + cuts[i]!, piece, 0, piece.length, piece.length);
      if (i === 1) direction.feed(1000 + cuts[i]!, piece, 0, piece.length, piece.length); // retransmitted
    }
    expect(seen).to.deep.equal([`record 22 ${helloLength}`, `hello type 1 ${helloLength} bytes, offers 304`, 'record 21 2', 'alert 1 90', 'record 21 26', 'encrypted alert']);
  });

  it('loses the record boundary over a gap and finds it again at a segment that starts a record', () => {
    const seen: string[] = [];
    const direction = new TlsDirection({ record: (type) => seen.push(`record ${type}`), alert: (l, d) => seen.push(`alert ${l} ${d}`), encryptedAlert: () => undefined, hello: () => undefined });
    const data = tlsRecord(23, TlsVersion.TLS12, new Array<number>(100).fill(1));
    direction.feed(0, data, 0, 50, 50);
    direction.feed(60, data, 60, data.length, data.length - 60); // 10 bytes never captured
    const alert = tlsAlert(TlsVersion.TLS12, 2, 20);
    direction.feed(500, alert, 0, alert.length, alert.length);
    expect(seen).to.deep.equal(['record 23', 'record 21', 'alert 2 20']);
  });
});

describe('TLS findings', () => {
  it('a fatal handshake_failure from the server is an error; no "incomplete handshake" on top', () => {
    const c = connection();
    c.send('a', 10, clientHello(TlsVersion.TLS12, TLS13_OFFER)).send('b', 20, tlsAlert(TlsVersion.TLS12, 2, 40)).fin('b', 21).fin('a', 22).ack('b', 23);
    const findings = runAnalyzers(c.frames);
    expect(summary(findings)).to.deep.equal([`tls.alert error: TLS fatal alert handshake_failure sent by the server of ${SERVER}:443 (1 time)`]);
    expect(findings[0]?.details['descriptionCode']).to.equal(40);
  });

  it('a normal TLS 1.3 handshake closed by alerts (close_notify, encrypted) gives nothing', () => {
    const c = connection();
    c.send('a', 10, clientHello(TlsVersion.TLS12, TLS13_OFFER))
      .send('b', 20, serverHello(TlsVersion.TLS12, TlsVersion.TLS13))
      .send('b', 21, tlsRecord(23, TlsVersion.TLS12, new Array<number>(300).fill(9)))
      .send('a', 30, tlsRecord(23, TlsVersion.TLS12, new Array<number>(80).fill(8)))
      .send('a', 40, tlsAlert(TlsVersion.TLS12, 1, 0))
      .send('b', 41, tlsRecord(21, TlsVersion.TLS12, new Array<number>(26).fill(3)))
      .fin('a', 42)
      .fin('b', 43);
    expect(summary(runAnalyzers(c.frames))).to.deep.equal([]);
  });

  it('a ClientHello the server never answers: closed by RST, or left past the timeout', () => {
    const reset = connection();
    reset.send('a', 10, clientHello(TlsVersion.TLS12, TLS13_OFFER)).rst('b', 15);
    const [closed] = ofRule(runAnalyzers(reset.frames), 'tls.handshake_incomplete');
    expect(closed?.details['closedBeforeServerHello']).to.equal(1);
    expect(closed?.evidence.map((e) => e.note)).to.deep.equal(['ClientHello', 'RST before the ServerHello']);
    const silent = connection(992);
    silent.send('a', 10, clientHello(TlsVersion.TLS12)).ack('b', 15).ack('a', 9000);
    const [timedOut] = ofRule(runAnalyzers(silent.frames), 'tls.handshake_incomplete');
    expect(timedOut?.subject.host).to.equal(`${SERVER}:992`);
    expect(timedOut?.details['closedBeforeServerHello']).to.equal(0);
    const early = connection();
    early.send('a', 10, clientHello(TlsVersion.TLS12)).ack('b', 15);
    expect(summary(runAnalyzers(early.frames)), 'the trace ends 5 ms after the hello').to.deep.equal([]);
  });

  it('versions negotiated down: to TLS 1.0 a warning, from 1.3 to 1.2 a note; legacy on both sides a warning', () => {
    const toTls10 = connection();
    toTls10.send('a', 10, clientHello(TlsVersion.TLS12, TLS13_OFFER)).send('b', 20, serverHello(TlsVersion.TLS10));
    const [down] = ofRule(runAnalyzers(toTls10.frames), 'tls.version_negotiated_down');
    expect([down?.severity, down?.details['offered'], down?.details['selected']]).to.deep.equal(['warning', ['TLS 1.3'], ['TLS 1.0']]);
    const to12 = connection();
    to12.send('a', 10, clientHello(TlsVersion.TLS12, TLS13_OFFER)).send('b', 20, serverHello(TlsVersion.TLS12));
    expect(ofRule(runAnalyzers(to12.frames), 'tls.version_negotiated_down')[0]?.severity).to.equal('note');
    const legacy = connection();
    legacy.send('a', 10, clientHello(TlsVersion.TLS10)).send('b', 20, serverHello(TlsVersion.TLS10));
    const findings = runAnalyzers(legacy.frames);
    expect(summary(findings)).to.deep.equal([`tls.legacy_version warning: Deprecated TLS version TLS 1.0 in use with ${SERVER}:443`]);
  });

  it('a hello split over segments and a TLS service on any port (found by its ClientHello) are read', () => {
    const c = connection(2023);
    const hello = clientHello(TlsVersion.TLS12, TLS13_OFFER, 1800);
    c.send('a', 10, hello.subarray(0, 200)).send('a', 11, hello.subarray(200, 1400)).send('a', 12, hello.subarray(1400)).send('b', 20, serverHello(TlsVersion.TLS11));
    const [down] = ofRule(runAnalyzers(c.frames), 'tls.version_negotiated_down');
    expect(down?.details['selected']).to.deep.equal(['TLS 1.1']);
    expect(down?.subject.host).to.equal(`${SERVER}:2023`);
  });

  it('a retransmitted alert counts once; bytes that are not TLS give nothing', () => {
    const c = connection();
    const alert = tlsAlert(TlsVersion.TLS12, 2, 48);
    c.send('a', 10, clientHello(TlsVersion.TLS12)).send('b', 20, serverHello(TlsVersion.TLS12)).send('a', 30, alert).resend('a', 230, alert);
    const [unknownCa] = ofRule(runAnalyzers(c.frames), 'tls.alert');
    expect([unknownCa?.count, unknownCa?.details['description'], unknownCa?.details['sentBy']]).to.deep.equal([1, 'unknown_ca', 'client']);
    const plain = connection();
    plain.send('a', 10, 'GET / HTTP/1.1\r\n\r\n').send('b', 20, new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]));
    expect(summary(runAnalyzers(plain.frames)), 'no ClientHello opened it: not followed as TLS').to.deep.equal([]);
  });
});

describe('TLS decode matches tshark', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'zctrace-tls-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('alert level and description, hello versions, on the same packets', async function () {
    if (!HAVE_TSHARK) this.skip();
    const a = connection();
    a.send('a', 10, clientHello(TlsVersion.TLS12, TLS13_OFFER)).send('b', 20, tlsAlert(TlsVersion.TLS12, 2, 40));
    const b = connection();
    b.send('a', 10, clientHello(TlsVersion.TLS12, TLS13_OFFER)).send('b', 20, serverHello(TlsVersion.TLS12, TlsVersion.TLS13));
    const c = connection();
    c.send('a', 10, clientHello(TlsVersion.TLS10)).send('b', 20, serverHello(TlsVersion.TLS10)).send('a', 30, tlsAlert(TlsVersion.TLS10, 1, 90));
    const frames: BuiltFrame[] = inTimeOrder(a.frames, b.frames, c.frames);
    const path = join(scratch, 'tls.pcap');
    await writeFrames(path, frames);
    const ours = labels(frames);
    const rows = tsharkFields(path, ['frame.number', 'tls.alert_message.level', 'tls.alert_message.desc', 'tls.handshake.type', 'tls.handshake.version', 'tls.handshake.extensions.supported_version'], { filter: 'tls' });
    expect(rows).to.have.length(7);
    for (const [frame, level, description, type, version, supported] of rows) {
      const data = frames[Number(frame) - 1]!.data;
      const body = 20 + 20 + 5; // IPv4, TCP without options, record header
      if (level !== '') {
        expect([String(data[body]), String(data[body + 1])], `frame ${frame}`).to.deep.equal([level, description]);
        expect(ours[Number(frame)], `frame ${frame}`).to.contain('alert');
        continue;
      }
      expect(String(data[body]), `frame ${frame} handshake type`).to.equal(type);
      const ourVersion = type === '1' ? clientHelloMaxVersion(data, body + 4, data.length) : serverHelloVersion(data, body + 4, data.length);
      const theirs = supported === '' ? Number(version) : Math.max(...(supported ?? '').split(',').map(Number).filter((v) => !isGrease(v)));
      const expected = type === '2' && supported !== '' ? Number(supported) : theirs;
      expect(ourVersion, `frame ${frame} version`).to.equal(expected);
      expect(ours[Number(frame)]).to.equal(type === '1' ? 'tls client_hello' : 'tls server_hello');
    }
  });
});
