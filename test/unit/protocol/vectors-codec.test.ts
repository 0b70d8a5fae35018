/** Every captured rspamd 3.4 datagram must decode to what the capture annotated and re-encode to the same bytes. */
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeReply, encodeRequest, MalformedRequestError, replySize } from '../../../shared/protocol/codec.js';
import { parseAnnotation } from './vector-annotations.js';
import { loadVectors, type VectorFile } from './vectors.js';

const files = loadVectors();

/** 3.4 answered a request iff a reply with its tag follows in the same capture: the server's verdict, not ours. */
function answeredTags(file: VectorFile): Set<number> {
  return new Set(file.datagrams.filter((d) => d.dir === 'S->C').map((d) => d.bytes.readUInt32LE(8)));
}

function u64Hex(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

describe('captured vectors', () => {
  it('finds all 15 capture files with datagrams in both directions', () => {
    expect(files.map((f) => f.name)).toHaveLength(15);
    const all = files.flatMap((f) => f.datagrams);
    expect(all.filter((d) => d.dir === 'C->S').length).toBeGreaterThan(40);
    expect(all.filter((d) => d.dir === 'S->C').length).toBeGreaterThan(40);
  });

  /**
   * Requests 3.4 dropped that fuzzyd answers on purpose: version 5 is rspamd ≥ 4.0's multi-flag protocol, and an
   * unknown extension type ends the extension area instead of refusing the request (extensions-codec.ts).
   */
  const ANSWERED_SINCE_3_4 = new Set([0x07070707, 0x0d0d0d0d]);

  for (const file of files) {
    describe(file.name, () => {
      const answered = answeredTags(file);

      file.datagrams.forEach((d, i) => {
        const ann = parseAnnotation(d.note);
        const f = ann.fields;
        if (d.dir === 'C->S') {
          const tag = d.bytes.length >= 12 ? d.bytes.readUInt32LE(8) : -1;
          if (ANSWERED_SINCE_3_4.has(tag)) {
            it(`#${i} request, dropped by 3.4, is decoded by fuzzyd`, () => {
              expect(decodeRequest(d.bytes).tag).toBe(tag);
            });
            return;
          }
          const accepted = answered.has(tag);
          it(`#${i} request ${accepted ? 'decodes like the capture' : 'is refused as 3.4 refused it'}`, () => {
            if (!accepted) {
              expect(() => decodeRequest(d.bytes)).toThrow(MalformedRequestError);
              return;
            }
            const req = decodeRequest(d.bytes);
            expect(d.bytes.length).toBe(Number(f.len));
            expect(req.version).toBe(Number(f.version));
            expect(req.cmd).toBe(Number(f.cmd));
            expect(req.flag).toBe(Number(f.flag));
            expect(req.value).toBe(Number(f.value));
            expect(req.tag).toBe(Number.parseInt(f.tag, 16));
            expect(req.digest.toString('hex')).toBe(f.digest);
            if (Number(f.shingles_count) === 0) {
              expect(req.shingles).toBeNull();
            } else {
              expect(req.shingles!.toBigInts()).toHaveLength(32);
              expect(req.shingles!.toBigInts().slice(0, ann.shinglePrefix.length).map(u64Hex)).toEqual(ann.shinglePrefix);
            }
            expect(req.extensions).toEqual(ann.extensions ?? {});
            const again = encodeRequest({ ...req, shingles: req.shingles });
            expect(again.toString('hex')).toBe(d.bytes.toString('hex'));
          });
        } else {
          it(`#${i} reply decodes like the capture and re-encodes byte for byte`, () => {
            const reply = decodeReply(d.bytes);
            expect(reply.value).toBe(Number(f.value));
            expect(reply.flag).toBe(Number(f.flag));
            expect(reply.tag).toBe(Number.parseInt(f.tag, 16));
            expect(reply.prob).toBe(Number(f.prob));
            expect(reply.extended).toBe(d.bytes.length === 96);
            if (reply.extended) {
              expect(reply.digest.toString('hex')).toBe(f.digest);
              expect(reply.ts).toBe(Number(f.ts));
            }
            const version = reply.extended ? 4 : 3;
            expect(encodeReply(reply, replySize(version)).toString('hex')).toBe(d.bytes.toString('hex'));
          });
        }
      });
    });
  }
});
