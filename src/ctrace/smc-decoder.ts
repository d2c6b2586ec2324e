/**
 * SYSTCPDA SMC trace entries (format 8; contract §2.2). Their component data after the PTHDR has no public
 * layout, so no packet is made from them: the decoder checks the header, and counts the records and the
 * bytes they hold, so the read summary says what the file had and the entries are never dropped silently.
 */
import type { CteEntry, EntryCheck } from './cte.js';
import type { CtracePacket } from '../model/trace-packet.js';
import type { LayoutProfile } from './layout/layout-profile.js';
import type { RecordDecoder, RecordDecoderOptions } from './record-decoder.js';
import { PthdrView } from './pthdr.js';

/** CTEFMTID of the SMC trace (contract §2.2, IBM). */
export const SMC_FORMAT_ID = 8;

/** The scanner's check: an SMC entry needs a usable PTH_Len. */
export function createSmcEntryCheck(profile: LayoutProfile): EntryCheck {
  const view = new PthdrView(profile.compiled);
  return (entry) => {
    if (entry.formatId !== SMC_FORMAT_ID) return null;
    return view.reset(entry.bytes, entry.dataOffset, entry.dataEnd) ? null : 'SMC trace header length (PTH_Len) unusable';
  };
}

class SmcRecordCounter implements RecordDecoder {
  readonly check: EntryCheck;
  private readonly view: PthdrView;
  private readonly counters = {
    /** SMC records read (none is converted). */
    smcRecords: 0,
    /** Bytes after their headers. */
    smcDataBytes: 0,
    /** Records whose PTH_Len is unusable. */
    smcBadHeaders: 0,
  };

  constructor(options: RecordDecoderOptions) {
    this.view = new PthdrView(options.profile.compiled);
    this.check = createSmcEntryCheck(options.profile);
  }

  get entriesNotConverted(): number {
    return this.counters.smcRecords + this.counters.smcBadHeaders;
  }

  stats(): Record<string, number> {
    return { ...this.counters };
  }

  decode(entry: CteEntry): CtracePacket | null {
    if (this.view.reset(entry.bytes, entry.dataOffset, entry.dataEnd)) {
      this.counters.smcRecords++;
      this.counters.smcDataBytes += this.view.end - this.view.packetStart;
    } else {
      this.counters.smcBadHeaders++;
    }
    return null;
  }
}

export function createSmcDecoder(options: RecordDecoderOptions): RecordDecoder {
  return new SmcRecordCounter(options);
}
