/**
 * A streaming command holds little and allocates much. Between full collections V8 lets the heap grow to
 * up to four times what is live (a policy made for programs with memory to spare), so a long run would
 * take several times the memory its state needs, and more the longer it runs. Asking V8 to grow the heap
 * by a quarter instead keeps the resident size near what is live, at the cost of more frequent (and, for
 * a small heap, short) full collections. V8 reads the flag at every full collection, so setting it once
 * the process runs takes effect.
 */
import { setFlagsFromString } from 'node:v8';

/** Heap growth allowed between full collections, in percent of what was live after the last one. */
export const HEAP_GROWING_PERCENT = 25;

export function keepHeapNearLiveSize(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
