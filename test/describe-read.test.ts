/** The stderr lines about each input of a run: what it is, what it gave, what went wrong, prefixed by its file. */
import { expect } from 'chai';
import { describeInput, describeInputProblems } from '../src/cli/describe-read.js';
import type { InputReport } from '../src/input/input-set.js';
import type { ReadSummary } from '../src/ctrace/read-summary.js';

const capture: InputReport = { path: 'linux.pcapng', kind: 'pcapng', summary: null, counts: { read: 86, kept: 12, late: 3 } };

describe('describing inputs', () => {
  it('a capture input: its kind and counts, the matched count only when filtered', () => {
    expect(describeInput(capture, false)).to.equal('linux.pcapng: pcapng capture; 86 packets');
    expect(describeInput(capture, true)).to.equal('linux.pcapng: pcapng capture; 86 packets, 12 matched the filter');
  });

  it('packets too far out of order are reported with the window they missed, prefixed by the file', () => {
    expect(describeInputProblems(capture)).to.deep.equal(['linux.pcapng: 3 packet(s) more than 1 s or 512 packets out of time order, written where they came']);
    expect(describeInputProblems({ ...capture, counts: { ...capture.counts, late: 0 } })).to.deep.equal([]);
  });

  it('a CTRACE input: component and framing, and its read problems as before, each line prefixed by its file', () => {
    const summary = {
      file: 'A.bin', component: 'SYSTCPDA', framing: 'rdw', framingReason: 'rdw: records chain to the end', damagedBytes: 777,
      damagedRanges: [{ fileOffset: 4096, length: 777 }], damagedRangesNotListed: 0, framingAnomalies: [], framingAnomaliesNotListed: 0, decoder: {},
    } as unknown as ReadSummary;
    const input: InputReport = { path: 'A.bin', kind: 'ctrace', summary, counts: { read: 30, kept: 30, late: 0 } };
    expect(describeInput(input, false)).to.equal('A.bin: SYSTCPDA, framing rdw (rdw: records chain to the end); 30 packets');
    expect(describeInputProblems(input)).to.deep.equal(['A.bin: skipped 777 damaged bytes in 1 range(s), first at offset 4096 (777 bytes)']);
  });
});
