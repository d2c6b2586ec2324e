/**
 * The codes of a data trace record's socket fields (tables/data-trace-codes.json): socket domain, socket
 * type, state and protocol. Names are shared strings, so the per-record path allocates nothing for codes
 * it has seen.
 */
import { createRequire } from 'node:module';

interface CodeRow {
  name: string;
}

type CodeTable = Record<string, CodeRow>;

interface DataTraceCodeTables {
  domains: CodeTable;
  socketTypes: CodeTable;
  states: CodeTable;
  protocols: CodeTable;
}

const require = createRequire(import.meta.url);
const tables = require('./tables/data-trace-codes.json') as DataTraceCodeTables;

/** What a record's socket is and what it says, as the decoders act on it. */
export const SocketState = { DATA: 0, START: 1, END: 2 } as const;
export const SocketType = { STREAM: 1, DATAGRAM: 2, RAW: 3 } as const;

class CodeNames {
  private readonly names = new Map<number, string>();

  constructor(private readonly table: CodeTable) {}

  isKnown(code: number): boolean {
    return this.table[String(code)] !== undefined;
  }

  /** The table name, or the code as text. */
  name(code: number): string {
    let name = this.names.get(code);
    if (name === undefined) {
      name = this.table[String(code)]?.name ?? String(code);
      // Codes come from damaged data too: remember only the table's, so the map stays small.
      if (this.isKnown(code)) this.names.set(code, name);
    }
    return name;
  }
}

export const socketDomains = new CodeNames(tables.domains);
export const socketTypes = new CodeNames(tables.socketTypes);
export const socketStates = new CodeNames(tables.states);
export const ipProtocols = new CodeNames(tables.protocols);
