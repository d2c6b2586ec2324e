/**
 * The component extensions of the layout profile (headers.ids, headers.osaenta) for test builders: field
 * offsets read straight from the profile JSON, with an optional override applied the way --layout applies
 * one, and writers for the values. EBCDIC is encoded here by its own small table (code pages 037 and 1047
 * agree on letters, digits and the punctuation names use), independent of the product's code pages.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROFILE_PATH = fileURLToPath(new URL('../../src/ctrace/layout/default-profile.json', import.meta.url));

export interface Slot {
  offset: number;
  size: number;
}

export type ExtensionName = 'ids' | 'osaenta';

/** The same shape as a --layout override file; only the extension fields' offset/size matter here. */
export interface ExtensionOverride {
  headers?: Partial<Record<ExtensionName, { fields?: Record<string, Partial<Slot> | null> }>>;
}

/** Field offsets/sizes of one extension, from the default profile JSON with an override applied. */
export function extensionSlots(header: ExtensionName, override?: ExtensionOverride): Record<string, Slot> {
  const json = JSON.parse(readFileSync(PROFILE_PATH, 'utf8')) as { headers: Record<ExtensionName, { fields: Record<string, Slot> }> };
  const slots: Record<string, Slot> = {};
  for (const [name, field] of Object.entries(json.headers[header].fields)) slots[name] = { offset: field.offset, size: field.size };
  for (const [name, change] of Object.entries(override?.headers?.[header]?.fields ?? {})) {
    if (change === null) delete slots[name];
    else slots[name] = { offset: change.offset ?? slots[name]!.offset, size: change.size ?? slots[name]!.size };
  }
  return slots;
}

/** The header length an extension needs: its last field's end, rounded up to a fullword (IDS 188, OSAENTA 108). */
export function extensionHeaderLength(slots: Record<string, Slot>): number {
  return Math.ceil(Math.max(...Object.values(slots).map((s) => s.offset + s.size)) / 4) * 4;
}

export function writeUint(data: Uint8Array, slot: Slot, value: number): void {
  for (let i = slot.size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) data[slot.offset + i] = v % 256;
}

const EBCDIC_PUNCTUATION: Record<string, number> = { ' ': 0x40, '.': 0x4b, '-': 0x60, _: 0x6d, '@': 0x7c, '#': 0x7b, $: 0x5b };

/** Letters, digits and the punctuation names use: the same bytes in code pages 037 and 1047. */
export function ebcdicByte(ch: string): number {
  const c = ch.charCodeAt(0);
  const ranges: [string, string, number][] = [
    ['0', '9', 0xf0],
    ['A', 'I', 0xc1],
    ['J', 'R', 0xd1],
    ['S', 'Z', 0xe2],
    ['a', 'i', 0x81],
    ['j', 'r', 0x91],
    ['s', 'z', 0xa2],
  ];
  for (const [from, to, base] of ranges) if (ch >= from && ch <= to) return base + (c - from.charCodeAt(0));
  const b = EBCDIC_PUNCTUATION[ch];
  if (b === undefined) throw new Error(`the test builder cannot encode "${ch}" in EBCDIC`);
  return b;
}

/** Blank-padded EBCDIC text in the slot (longer text is cut, as a fixed field would hold it). */
export function writeEbcdic(data: Uint8Array, slot: Slot, text: string): void {
  const padded = text.padEnd(slot.size, ' ').slice(0, slot.size);
  for (let i = 0; i < slot.size; i++) data[slot.offset + i] = ebcdicByte(padded[i]!);
}
