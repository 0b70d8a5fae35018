import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReply } from '../../../shared/protocol/codec.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { udpExchange } from '../../helpers/udp-exchange.js';
import { loadVectors } from '../../unit/protocol/vectors.js';

/**
 * Replays every datagram rspamd 3.4's client sent in the captures, in order, against fuzzyd and compares the replies
 * with what rspamd's own storage answered. `ts` differs by backend; the near-duplicate's prob differs by design
 * (fuzzyd: slots/32, rspamd SQLite: (slots-1)/32; spec/fuzzy-protocol.md §5.3), so there only the verdict is compared.
 */
/**
 * Where rspamd's SQLite backend answers wrongly and fuzzyd deliberately does not: with two candidate digests the
 * 3.4 SQLite vote reports the digest *after* the biggest run (spec/fuzzy-protocol.md §5.3, "several candidate
 * digests"). In 15-synthetic, digest aa…aa owns 31 of the 32 positions and bb…bb one; rspamd answered bb, fuzzyd
 * answers aa, as rspamd's Redis backend would.
 */
const DELIBERATE_DIFFERENCES = new Map([[0x24242424, { value: 1, flag: 1, digest: 'aa'.repeat(64), prob: 31 / 32 }]]);
/**
 * Requests 3.4 dropped that fuzzyd answers, with the size of the reply: version 5 is rspamd ≥ 4.0's multi-flag
 * protocol (144-byte reply), and an unknown extension type ends the extension area instead of refusing the request.
 */
const ANSWERED_SINCE_3_4 = new Map([
  [0x07070707, 144],
  [0x0d0d0d0d, 96],
]);

let fuzzyd: TestFuzzyd;
beforeAll(async () => {
  fuzzyd = await startTestFuzzyd();
});
afterAll(() => fuzzyd.close());

describe('replay of captured rspamd 3.4 exchanges', () => {
  for (const file of loadVectors()) {
    it(file.name, async () => {
      const requests = file.datagrams.filter((d) => d.dir === 'C->S');
      const replies = file.datagrams.filter((d) => d.dir === 'S->C').map((d) => decodeReply(d.bytes));
      for (const request of requests) {
        const tag = request.bytes.length >= 12 ? request.bytes.readUInt32LE(8) : -1;
        const expected = replies.find((r) => r.tag === tag);
        const answeredNow = ANSWERED_SINCE_3_4.get(tag);
        const got = await udpExchange(request.bytes, fuzzyd.udpPort, { timeoutMs: expected || answeredNow ? 2000 : 300 });
        if (answeredNow) {
          expect(got?.length, `tag ${tag.toString(16)}`).toBe(answeredNow);
          continue;
        }
        if (!expected) {
          expect(got, `rspamd dropped tag ${tag.toString(16)}; fuzzyd must too`).toBeNull();
          continue;
        }
        expect(got).not.toBeNull();
        const reply = decodeReply(got!);
        const differs = DELIBERATE_DIFFERENCES.get(tag);
        if (differs) {
          expect({ ...reply, digest: reply.digest.toString('hex') }).toMatchObject(differs);
          continue;
        }
        expect(got!.length).toBe(expected.extended ? 96 : 16);
        expect(reply.tag).toBe(expected.tag);
        expect(reply.value).toBe(expected.value);
        expect(reply.flag).toBe(expected.flag);
        expect(reply.prob > 0.5).toBe(expected.prob > 0.5);
        if (expected.prob === 1 || expected.prob === 0) expect(reply.prob).toBe(expected.prob);
        if (expected.extended && expected.prob > 0) expect(reply.digest.toString('hex')).toBe(expected.digest.toString('hex'));
      }
    });
  }
});
