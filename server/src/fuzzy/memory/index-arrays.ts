/**
 * Typed arrays for the in-memory index, backed by SharedArrayBuffer although no other thread ever sees them.
 *
 * V8 counts ordinary ArrayBuffer memory as external memory pressure: while a shingled write stream made the index
 * grow (32 tables doubling, tens of MB each time), that pressure started a full mark-compact every few hundred
 * milliseconds, and those pauses and the concurrent marking that came with them were the CHECK p99 under mixed load.
 * SharedArrayBuffer memory is not counted: 40 allocations of 16 MB start 9 mark-compacts as ArrayBuffer and none as
 * SharedArrayBuffer (Node 20). Element access is just as fast; the memory starts zeroed, like ArrayBuffer's.
 */
export function indexUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

export function indexInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

export function indexUint8(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

export function indexFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}
