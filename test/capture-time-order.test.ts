/**
 * Packets out of time order beyond what the reader puts back (capture.time_order): a trace whose writer
 * wrapped, built entry by entry, read by the real reader, converted and analysed. The finding counts
 * exactly the packets the reader reports as late, and its longest step back is the one tshark measures
 * on the converted file (frame.time_delta of the evidence frame). Jitter within the window and normal
 * traffic give no finding.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeInputs } from '../src/analysis/analyze-inputs.js';
import { convertTrace } from '../src/convert/convert-trace.js';
import { NO_SPLIT } from '../src/convert/capture-outputs.js';
import { DEFAULT_READ_OPTIONS } from '../src/ctrace/trace-reader.js';
import { buildPacketEntry } from './support/packet-trace-builder.js';
import { concatBytes } from './support/cte-builder.js';
import { findingsOf, ipv4, udp } from './support/analysis-packets.js';
import { tsharkFields } from './support/tshark.js';

const RULE = 'capture.time_order';
const START_SEC = 1_700_000_000;

/** One UDP packet trace entry per time (seconds after START_SEC, fractions allowed). */
function entries(times: readonly number[]): Uint8Array[] {
  return times.map((t, i) =>
    buildPacketEntry({
      packet: ipv4({ source: '10.1.1.1', destination: '10.1.1.2', protocol: 17, id: i + 1, payload: udp(1024, 514, 40) }),
      fields: { linkName: 'OSAQDIO4', deviceType: 39, captureTime: { sec: START_SEC + Math.floor(t), nsec: Math.round((t % 1) * 1e9) } },
    }),
  );
}

describe('analysis: packets out of time order (capture.time_order)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'zctrace-order-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, times: readonly number[]): string {
    const path = join(dir, name);
    writeFileSync(path, concatBytes(entries(times)));
    return path;
  }

  it('a writer that wrapped: the older packets that follow are one warning, counted as the reader counts them', async () => {
    // 60 packets from 600 s on, then the 40 oldest (from 0 s) that the wrapped writer left after them.
    const newer = Array.from({ length: 60 }, (_, i) => 600 + i * 0.5);
    const older = Array.from({ length: 40 }, (_, i) => i * 0.5);
    const path = write('wrapped.bin', [...newer, ...older]);

    const output = join(dir, 'wrapped.pcapng');
    const converted = await convertTrace({
      inputs: [path],
      output,
      format: 'pcapng',
      precision: 'ns',
      snaplen: null,
      read: DEFAULT_READ_OPTIONS,
      filter: null,
      split: NO_SPLIT,
      showProgress: false,
    });
    const late = converted.inputs[0]!.counts.late;
    expect(late).to.equal(40);

    const report = await analyzeInputs([path], { readOptions: DEFAULT_READ_OPTIONS });
    const [finding, ...more] = findingsOf(report, RULE);
    expect(more).to.have.length(0);
    expect(finding).to.include({ severity: 'warning', category: 'capture', count: late });
    expect(finding!.subject).to.deep.equal({ input: path });
    expect(finding!.explanation).to.match(/wrapped/);
    // The first of the older packets (record 61) takes the longest step back.
    const [evidence] = finding!.evidence;
    expect(evidence).to.include({ record: 61 });

    // tshark on the converted file: the evidence frame is the one frame stamped before the frame ahead of
    // it, and steps back by the longest step. (The window still held the last second of newer packets,
    // 628.5 s to 629.5 s, when the jump came: they follow the older ones, so the step is from 628 s.)
    const rows = tsharkFields(output, ['frame.number', 'frame.time_delta'], { filter: 'frame.time_delta < 0' });
    expect(rows).to.have.length(1);
    expect(rows[0]![0]).to.equal(String(evidence!.frame));
    expect(Number(rows[0]![1])).to.be.closeTo(-Number(finding!.details['longestStepBackSec']), 1e-6);
    expect(Number(finding!.details['longestStepBackSec'])).to.be.closeTo(628, 1e-6);
  });

  it('jitter the reader puts back in order, and traffic in order, give no finding', async () => {
    const jittered = Array.from({ length: 200 }, (_, i) => i * 0.01 + (i % 3 === 0 ? 0.3 : 0));
    const report = await analyzeInputs([write('jitter.bin', jittered)], { readOptions: DEFAULT_READ_OPTIONS });
    expect(findingsOf(report, RULE)).to.deep.equal([]);
    const inOrder = await analyzeInputs([write('in-order.bin', Array.from({ length: 50 }, (_, i) => i))], { readOptions: DEFAULT_READ_OPTIONS });
    expect(findingsOf(inOrder, RULE)).to.deep.equal([]);
  });
});
