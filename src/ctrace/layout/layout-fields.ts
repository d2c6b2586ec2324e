/**
 * The field names a layout profile may define, and the type each must have. The decoders rely on the type
 * (a link name is always text, a capture time always a TOD value), so a profile may move or resize a field
 * but never change what it is. Offsets are NOT here: they live in default-profile.json only.
 */

export type FieldType = 'uint' | 'ebcdic' | 'ip16' | 'stck' | 'flags';
export type Confidence = 'IBM' | 'EV' | 'ASSUMED';

export const FIELD_TYPES: readonly FieldType[] = ['uint', 'ebcdic', 'ip16', 'stck', 'flags'];
export const CONFIDENCES: readonly Confidence[] = ['IBM', 'EV', 'ASSUMED'];

/** PTHDR_T (contract §3), in header order. */
export const PTHDR_FIELDS = {
  headerLength: 'uint',
  headerVersion: 'uint',
  deviceType: 'uint',
  flags: 'flags',
  segmentNumber: 'uint',
  segmentOffset: 'uint',
  linkName: 'ebcdic',
  captureTime: 'stck',
  sourceAddress: 'ip16',
  destinationAddress: 'ip16',
  sourcePort: 'uint',
  destinationPort: 'uint',
  traceCount: 'uint',
  protocol: 'uint',
  vlanId: 'uint',
  packetLength: 'uint',
  tracedLength: 'uint',
  interfaceIndex: 'uint',
  asid: 'uint',
  tcb: 'uint',
  connectionId: 'uint',
  discardCode: 'uint',
} as const satisfies Record<string, FieldType>;

/** Data trace view of PTH_Name (contract §4). */
export const DATA_TRACE_FIELDS = {
  jobName: 'ebcdic',
  domain: 'uint',
  socketType: 'uint',
  protocol: 'uint',
  state: 'uint',
} as const satisfies Record<string, FieldType>;

/** IDS extension (contract §6). */
export const IDS_FIELDS = {
  correlator: 'uint',
  moduleName: 'ebcdic',
  jobName: 'ebcdic',
  policyRule: 'ebcdic',
  actionName: 'ebcdic',
} as const satisfies Record<string, FieldType>;

/** OSAENTA extension (contract §7). */
export const OSAENTA_FIELDS = {
  deviceId: 'uint',
} as const satisfies Record<string, FieldType>;

export const HEADER_FIELDS = {
  pthdr: PTHDR_FIELDS,
  dataTrace: DATA_TRACE_FIELDS,
  ids: IDS_FIELDS,
  osaenta: OSAENTA_FIELDS,
} as const;

export type HeaderName = keyof typeof HEADER_FIELDS;
export type PthdrField = keyof typeof PTHDR_FIELDS;
export type DataTraceField = keyof typeof DATA_TRACE_FIELDS;
export type IdsField = keyof typeof IDS_FIELDS;
export type OsaentaField = keyof typeof OSAENTA_FIELDS;
export type FieldNameOf<H extends HeaderName> = keyof (typeof HEADER_FIELDS)[H] & string;

export const HEADER_NAMES = Object.keys(HEADER_FIELDS) as HeaderName[];

/** Fields no profile may drop: without PTH_Len nothing can be found. */
export const REQUIRED_FIELDS: { readonly [H in HeaderName]: readonly FieldNameOf<H>[] } = {
  pthdr: ['headerLength'],
  dataTrace: [],
  ids: [],
  osaenta: [],
};

/** Byte sizes each type allows. Text may be any length up to a PTHDR's reach. */
export const SIZES_BY_TYPE: { readonly [T in FieldType]: (size: number) => boolean } = {
  uint: (size) => size === 1 || size === 2 || size === 4,
  flags: (size) => size === 1 || size === 2,
  ebcdic: (size) => size >= 1 && size <= 256,
  ip16: (size) => size === 16,
  stck: (size) => size === 8,
};

export const SIZE_RULES_TEXT: { readonly [T in FieldType]: string } = {
  uint: '1, 2 or 4',
  flags: '1 or 2',
  ebcdic: '1..256',
  ip16: '16',
  stck: '8',
};

/** Properties a field definition may carry. */
export const FIELD_PROPERTIES = ['ibmName', 'offset', 'size', 'type', 'confidence', 'note', 'bits'] as const;

/** Component data is at most one 64 KiB entry: no header field can start beyond it. */
export const MAX_FIELD_OFFSET = 0xffff;
