import { EncodedCommand } from '../../common/redis-turn-batch.js';
import { DIGEST_BYTES, SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import type { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';
import type { Digest } from '../../../../shared/protocol/types.js';
import { SLOT_FIELDS } from './redis-fuzzy-scripts.js';

/** The fields a CHECK reads: the 8 (flag, value) slots, then the creation time. Not S, which is ~700 bytes. */
export const CHECK_FIELDS = [...SLOT_FIELDS, 'C'];

/**
 * The two commands of a CHECK, encoded in RESP here (redis-turn-batch.ts says why): `HMGET P‖D F V F1 V1 … V7 C`
 * (rspamd 3.4 reads `V F C` the same way, fuzzy_backend_redis.c; the extra slots are 4.x's) and `MGET` of the 32
 * slot keys `P_i_s`. The HMGET is one buffer: a constant head, the prefix, the digest, a constant tail of field names.
 */
export class CheckCommands {
  private readonly digestHead: Buffer;
  private readonly fieldsTail: Buffer;
  private readonly prefixBytes: Buffer;
  /** Key lengths in bytes equal their length in UTF-16 units only when the prefix is ASCII. */
  private readonly asciiPrefix: boolean;

  constructor(private readonly prefix: string) {
    this.prefixBytes = Buffer.from(prefix, 'latin1');
    this.asciiPrefix = /^[\x20-\x7e]*$/.test(prefix);
    this.digestHead = Buffer.from(`*${2 + CHECK_FIELDS.length}\r\n$5\r\nHMGET\r\n$${this.prefixBytes.length + DIGEST_BYTES}\r\n`, 'latin1');
    this.fieldsTail = Buffer.from(`\r\n${CHECK_FIELDS.map((f) => `$${f.length}\r\n${f}\r\n`).join('')}`, 'latin1');
  }

  /** Replies the fields in CHECK_FIELDS order, null where absent (a digest not stored: all null). */
  readDigest(digest: Digest): EncodedCommand {
    // The head announced the key's length; any other would desynchronise the connection.
    if (digest.length !== DIGEST_BYTES) throw new RangeError(`a digest is ${DIGEST_BYTES} bytes, got ${digest.length}`);
    const wire = Buffer.allocUnsafe(this.digestHead.length + this.prefixBytes.length + digest.length + this.fieldsTail.length);
    let at = this.digestHead.copy(wire, 0);
    at += this.prefixBytes.copy(wire, at);
    at += digest.copy(wire, at);
    this.fieldsTail.copy(wire, at);
    return new EncodedCommand('hmget', wire, 'utf8');
  }

  /** Replies the raw digest owning each slot, null where none does (RedisFuzzyKeys.slot names the same keys). */
  readSlots(shingles: ShingleBlock): EncodedCommand {
    let resp = `*${1 + SHINGLE_COUNT}\r\n$4\r\nMGET\r\n`;
    for (let i = 0; i < SHINGLE_COUNT; i++) {
      const key = `${this.prefix}_${i}_${shingles.at(i)}`;
      resp += `$${this.asciiPrefix ? key.length : Buffer.byteLength(key)}\r\n${key}\r\n`;
    }
    return new EncodedCommand('mget', Buffer.from(resp, 'utf8'), null);
  }
}
