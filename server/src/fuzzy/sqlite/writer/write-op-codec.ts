import { DIGEST_BYTES, MAX_FLAGS_PER_HASH, SHINGLE_BLOCK_BYTES } from '../../../../../shared/protocol/constants.js';
import type { FlagValue } from '../../../../../shared/protocol/types.js';
import { ShingleBlock } from '../../../../../shared/protocol/shingle-block.js';
import type { UpdateOp } from '../../fuzzy-backend.js';

/**
 * Update ops cross to the writer thread packed in one transferable buffer per batch, which is far cheaper than
 * structured-cloning thousands of objects holding shingle arrays; the journal stores the same buffer. A record is 80
 * bytes (kind, flag, bits, count, value, digest) plus the 256 shingle bytes only when it has shingles: every
 * acknowledged batch is fsynced, and a plain WRITE's record is a quarter of a fixed 336-byte one. An admin edit that
 * replaces the whole flag list carries its 1..8 (flag, value) slots in 96 more bytes. Records written before the
 * multi-flag rule existed have no MULTI_RULE bit, and they were single-flag writes.
 */
const HEAD_BYTES = 80;
const KIND_CODES = { write: 1, del: 2, set: 3 } as const;
const HAS_SHINGLES = 1;
const HAS_FLAG = 2;
const HAS_VALUE = 4;
const MULTI_RULE = 8;
const HAS_FLAG_LIST = 16;
const WEAK = 32;
const FLAG_COUNT_AT = 3;
const DIGEST_AT = 16;
const SHINGLES_AT = DIGEST_AT + DIGEST_BYTES;
const SLOT_BYTES = 12;
const FLAG_LIST_BYTES = MAX_FLAGS_PER_HASH * SLOT_BYTES;

function recordBytes(op: UpdateOp): number {
  if (op.kind === 'write' && op.shingles) return HEAD_BYTES + SHINGLE_BLOCK_BYTES;
  if (op.kind === 'set' && op.flags) return HEAD_BYTES + FLAG_LIST_BYTES;
  return HEAD_BYTES;
}

function tailBytes(bits: number): number {
  if (bits & HAS_SHINGLES) return SHINGLE_BLOCK_BYTES;
  if (bits & HAS_FLAG_LIST) return FLAG_LIST_BYTES;
  return 0;
}

export function packOps(ops: readonly UpdateOp[]): Buffer {
  const out = Buffer.alloc(ops.reduce((n, op) => n + recordBytes(op), 0));
  let at = 0;
  for (const op of ops) {
    out[at] = KIND_CODES[op.kind];
    let bits = 0;
    if (op.kind === 'write') {
      out[at + 1] = op.flag;
      out.writeDoubleLE(op.value, at + 8);
      if (op.rule === 'multi') bits |= MULTI_RULE;
      if (op.weak) bits |= WEAK;
      if (op.shingles) {
        bits |= HAS_SHINGLES;
        op.shingles.bytes.copy(out, at + SHINGLES_AT);
      }
    } else if (op.kind === 'set') {
      if (op.flag !== undefined) {
        bits |= HAS_FLAG;
        out[at + 1] = op.flag;
      }
      if (op.value !== undefined) {
        bits |= HAS_VALUE;
        out.writeDoubleLE(op.value, at + 8);
      }
      if (op.flags) {
        if (op.flags.length > MAX_FLAGS_PER_HASH) throw new RangeError(`more than ${MAX_FLAGS_PER_HASH} flags`);
        bits |= HAS_FLAG_LIST;
        out[at + FLAG_COUNT_AT] = op.flags.length;
        op.flags.forEach((s, i) => {
          out[at + HEAD_BYTES + i * SLOT_BYTES] = s.flag;
          out.writeDoubleLE(s.value, at + HEAD_BYTES + i * SLOT_BYTES + 4);
        });
      }
    }
    out[at + 2] = bits;
    op.digest.copy(out, at + DIGEST_AT, 0, DIGEST_BYTES);
    at += recordBytes(op);
  }
  return out;
}

export function unpackOps(buf: Buffer): UpdateOp[] {
  const ops: UpdateOp[] = [];
  for (let at = 0; at + HEAD_BYTES <= buf.length; ) {
    const bits = buf[at + 2];
    const size = HEAD_BYTES + tailBytes(bits);
    if (at + size > buf.length) throw new Error(`corrupt op record at byte ${at}`);
    const digest = Buffer.from(buf.subarray(at + DIGEST_AT, at + DIGEST_AT + DIGEST_BYTES));
    switch (buf[at]) {
      case KIND_CODES.write: {
        const shingles =
          bits & HAS_SHINGLES
            ? new ShingleBlock(Buffer.from(buf.subarray(at + SHINGLES_AT, at + SHINGLES_AT + SHINGLE_BLOCK_BYTES)))
            : null;
        const rule = bits & MULTI_RULE ? 'multi' : 'single';
        const write: UpdateOp = { kind: 'write', digest, flag: buf[at + 1], value: buf.readDoubleLE(at + 8), shingles, rule };
        if (bits & WEAK) write.weak = true;
        ops.push(write);
        break;
      }
      case KIND_CODES.del:
        ops.push({ kind: 'del', digest });
        break;
      case KIND_CODES.set:
        ops.push({
          kind: 'set',
          digest,
          flag: bits & HAS_FLAG ? buf[at + 1] : undefined,
          value: bits & HAS_VALUE ? buf.readDoubleLE(at + 8) : undefined,
          flags: bits & HAS_FLAG_LIST ? unpackFlagList(buf, at) : undefined,
        });
        break;
      default:
        throw new Error(`corrupt op record at byte ${at}`);
    }
    at += size;
  }
  return ops;
}

function unpackFlagList(buf: Buffer, at: number): FlagValue[] {
  const count = buf[at + FLAG_COUNT_AT];
  if (count > MAX_FLAGS_PER_HASH) throw new Error(`corrupt op record at byte ${at}`);
  return Array.from({ length: count }, (_, i) => ({
    flag: buf[at + HEAD_BYTES + i * SLOT_BYTES],
    value: buf.readDoubleLE(at + HEAD_BYTES + i * SLOT_BYTES + 4),
  }));
}
