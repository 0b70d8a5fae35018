import { DIGEST_BYTES, SHINGLE_BLOCK_BYTES } from '../../../../shared/protocol/constants.js';
import { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';
import type { UpdateOp } from '../fuzzy-backend.js';

/**
 * Update ops cross to the writer thread packed in one transferable buffer per batch (fixed-size records), which is
 * far cheaper than structured-cloning thousands of objects holding shingle arrays.
 */
export const OP_BYTES = 336;
const KIND_CODES = { write: 1, del: 2, set: 3 } as const;
const HAS_SHINGLES = 1;
const HAS_FLAG = 2;
const HAS_VALUE = 4;
const DIGEST_AT = 16;
const SHINGLES_AT = DIGEST_AT + DIGEST_BYTES;

export function packOps(ops: readonly UpdateOp[]): Buffer {
  const out = Buffer.alloc(ops.length * OP_BYTES);
  ops.forEach((op, i) => {
    const at = i * OP_BYTES;
    out[at] = KIND_CODES[op.kind];
    let bits = 0;
    if (op.kind === 'write') {
      out[at + 1] = op.flag;
      out.writeDoubleLE(op.value, at + 8);
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
    }
    out[at + 2] = bits;
    op.digest.copy(out, at + DIGEST_AT, 0, DIGEST_BYTES);
  });
  return out;
}

export function unpackOps(buf: Buffer): UpdateOp[] {
  const ops: UpdateOp[] = [];
  for (let at = 0; at + OP_BYTES <= buf.length; at += OP_BYTES) {
    const bits = buf[at + 2];
    const digest = Buffer.from(buf.subarray(at + DIGEST_AT, at + DIGEST_AT + DIGEST_BYTES));
    switch (buf[at]) {
      case KIND_CODES.write: {
        const shingles =
          bits & HAS_SHINGLES
            ? new ShingleBlock(Buffer.from(buf.subarray(at + SHINGLES_AT, at + SHINGLES_AT + SHINGLE_BLOCK_BYTES)))
            : null;
        ops.push({ kind: 'write', digest, flag: buf[at + 1], value: buf.readDoubleLE(at + 8), shingles });
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
        });
        break;
      default:
        throw new Error(`corrupt op record ${at / OP_BYTES}`);
    }
  }
  return ops;
}
