/**
 * Removes the record framing a download left around the trace data (contract §1): RDWs, SDWs of spanned
 * records (their segments simply join in order) and BDWs. What comes out is the logical byte stream the
 * CTE scanner walks, in pieces that each map to one contiguous run of file bytes.
 *
 * Damage never stops the stream. Segment order errors are reported and the data still flows; a descriptor
 * that cannot be one ends the descriptor chain, and everything from it on is passed on as raw data for the
 * scanner to resynchronise on. The per-chunk path allocates nothing but the views it hands out.
 */
import type { Framing, LogicalChunk } from './logical-chunk.js';
import {
  DESCRIPTOR_LENGTH,
  SpannedRecordTracker,
  bdwProblem,
  descriptorLength,
  rdwProblem,
  segmentCodeOf,
} from './record-descriptors.js';

export { detectFraming, type DescriptorSource, type FramingDetection } from './framing-detect.js';

export interface FramingAnomaly {
  fileOffset: number;
  message: string;
}

export interface FramingEvents {
  /** Hears each framing anomaly, with the file offset of the descriptor or record concerned. */
  onAnomaly?(anomaly: FramingAnomaly): void;
}

const messages = {
  fallBack: (problem: string) => `${problem}; the rest of the file is passed on as raw data`,
  recordPastBlock: (length: number, blockAt: number, left: number) =>
    `a record of ${length} bytes runs past the end of the block at offset ${blockAt} (${left} bytes left in it)`,
  recordCut: (missing: number, length: number) => `the file ends ${missing} bytes before the end of this record (its RDW says ${length} bytes)`,
  blockCut: (missing: number) => `the file ends ${missing} bytes before the end of this block`,
  descriptorCut: (have: number) => `the file ends inside a descriptor (${have} of ${DESCRIPTOR_LENGTH} bytes)`,
};

/** What the deframer expects next. */
const Expect = { BLOCK_DESCRIPTOR: 0, RECORD_DESCRIPTOR: 1, RECORD_DATA: 2, RAW: 3 } as const;
type Expect = (typeof Expect)[keyof typeof Expect];

const NO_BYTES: Uint8Array = new Uint8Array(0);

/**
 * The synchronous core: fed one input chunk at a time, it hands out the data pieces inside it. Descriptors
 * may straddle chunks: their bytes collect in a 4-byte buffer.
 */
class Deframer {
  private expect: Expect;
  private readonly descriptor = new Uint8Array(DESCRIPTOR_LENGTH);
  private readonly descriptorView = new DataView(this.descriptor.buffer);
  private descriptorFill = 0;
  private descriptorAt = 0;
  private recordAt = 0;
  private recordLength = 0;
  private dataLeft = 0;
  private blockAt = 0;
  /** bdw: bytes of the current block after its BDW not yet claimed by a record. */
  private blockLeft = 0;
  private readonly spans = new SpannedRecordTracker();

  private input = NO_BYTES;
  private inputOffset = 0;
  private at = 0;

  /** The piece `next()` found: source[start, end) at file offset `fileOffset`. */
  pieceSource = NO_BYTES;
  pieceStart = 0;
  pieceEnd = 0;
  pieceFileOffset = 0;

  constructor(
    private readonly framing: 'rdw' | 'bdw',
    private readonly report: (fileOffset: number, message: string) => void,
  ) {
    this.expect = framing === 'bdw' ? Expect.BLOCK_DESCRIPTOR : Expect.RECORD_DESCRIPTOR;
  }

  begin(bytes: Uint8Array, fileOffset: number): void {
    this.input = bytes;
    this.inputOffset = fileOffset;
    this.at = 0;
  }

  /** Finds the next data piece in the current chunk; false when the chunk is used up. */
  next(): boolean {
    while (this.at < this.input.length) {
      if (this.expect === Expect.RAW) return this.inputPiece(this.input.length);
      if (this.expect === Expect.RECORD_DATA) return this.recordData();
      if (this.collectDescriptor() && this.takeDescriptor()) return true;
    }
    return false;
  }

  /** At end of input: reports an unfinished record, block or descriptor; true when a last piece is due. */
  finish(): boolean {
    if (this.expect === Expect.RAW) return false;
    if (this.expect === Expect.RECORD_DATA) this.report(this.recordAt, messages.recordCut(this.dataLeft, this.recordLength));
    else if (this.blockLeft > 0) this.report(this.blockAt, messages.blockCut(this.blockLeft));
    const unfinishedSpan = this.spans.atEnd();
    if (unfinishedSpan !== null) this.report(this.spans.openRecordAt, unfinishedSpan);
    if (this.descriptorFill === 0) return false;
    // A partial descriptor may be the tail of data the chain lost track of: pass it on for the scanner to judge.
    this.report(this.descriptorAt, messages.descriptorCut(this.descriptorFill));
    this.setPiece(this.descriptor, 0, this.descriptorFill, this.descriptorAt);
    return true;
  }

  private recordData(): boolean {
    const end = Math.min(this.input.length, this.at + this.dataLeft);
    this.dataLeft -= end - this.at;
    if (this.dataLeft === 0) this.expect = this.framing === 'bdw' && this.blockLeft === 0 ? Expect.BLOCK_DESCRIPTOR : Expect.RECORD_DESCRIPTOR;
    return this.inputPiece(end);
  }

  /** Copies descriptor bytes from the input; true once all 4 are in. */
  private collectDescriptor(): boolean {
    if (this.descriptorFill === 0) this.descriptorAt = this.inputOffset + this.at;
    while (this.descriptorFill < DESCRIPTOR_LENGTH && this.at < this.input.length) {
      this.descriptor[this.descriptorFill++] = this.input[this.at++] ?? 0;
    }
    return this.descriptorFill === DESCRIPTOR_LENGTH;
  }

  /** Acts on a complete descriptor; true when it produced a piece (the fallback to raw data). */
  private takeDescriptor(): boolean {
    const word = this.descriptorView.getUint32(0);
    this.descriptorFill = 0;
    if (this.expect === Expect.BLOCK_DESCRIPTOR) return this.takeBlockDescriptor(word);
    const length = descriptorLength(word);
    const outsideBlock = this.framing === 'bdw' && length > this.blockLeft;
    const problem = rdwProblem(word) ?? (outsideBlock ? messages.recordPastBlock(length, this.blockAt, this.blockLeft) : null);
    if (problem !== null) return this.fallBack(problem);
    if (this.framing === 'bdw') this.blockLeft -= length;
    const orderProblem = this.spans.next(segmentCodeOf(word), this.descriptorAt);
    if (orderProblem !== null) this.report(this.descriptorAt, orderProblem);
    this.recordAt = this.descriptorAt;
    this.recordLength = length;
    this.dataLeft = length - DESCRIPTOR_LENGTH;
    this.expect = Expect.RECORD_DATA;
    return false;
  }

  private takeBlockDescriptor(word: number): boolean {
    const problem = bdwProblem(word);
    if (problem !== null) return this.fallBack(problem);
    this.blockAt = this.descriptorAt;
    this.blockLeft = descriptorLength(word) - DESCRIPTOR_LENGTH;
    this.expect = Expect.RECORD_DESCRIPTOR;
    return false;
  }

  /** The chain is broken: from the bad descriptor on, everything is raw data (the descriptor bytes first). */
  private fallBack(problem: string): boolean {
    this.report(this.descriptorAt, messages.fallBack(problem));
    this.expect = Expect.RAW;
    this.blockLeft = 0;
    this.setPiece(this.descriptor, 0, DESCRIPTOR_LENGTH, this.descriptorAt);
    return true;
  }

  private inputPiece(end: number): boolean {
    this.setPiece(this.input, this.at, end, this.inputOffset + this.at);
    this.at = end;
    return true;
  }

  private setPiece(source: Uint8Array, start: number, end: number, fileOffset: number): void {
    this.pieceSource = source;
    this.pieceStart = start;
    this.pieceEnd = end;
    this.pieceFileOffset = fileOffset;
  }

  piece(): LogicalChunk {
    return { bytes: this.pieceSource.subarray(this.pieceStart, this.pieceEnd), fileOffset: this.pieceFileOffset };
  }
}

/**
 * The logical trace data inside `chunks` (file order, each with its file offset). `raw` passes the chunks
 * through unchanged. Each piece is a view valid until the next one is pulled.
 */
export async function* deframe(
  chunks: AsyncIterable<LogicalChunk>,
  framing: Framing,
  events: FramingEvents = {},
): AsyncGenerator<LogicalChunk> {
  if (framing === 'raw') {
    yield* chunks;
    return;
  }
  const deframer = new Deframer(framing, (fileOffset, message) => events.onAnomaly?.({ fileOffset, message }));
  for await (const chunk of chunks) {
    deframer.begin(chunk.bytes, chunk.fileOffset);
    while (deframer.next()) yield deframer.piece();
  }
  if (deframer.finish()) yield deframer.piece();
}
