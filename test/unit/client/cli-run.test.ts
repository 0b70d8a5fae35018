/** The CLI end to end in-process, against a scripted UDP responder: output lines, JSON, and exit codes. */
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT, EXIT_NO_ANSWER, EXIT_OK, EXIT_REFUSED, runCli } from '../../../shared/client/cli-run.js';
import { FuzzyCrypto, generateKeypair } from '../../../shared/protocol/cryptobox.js';
import { encodeReply } from '../../../shared/protocol/codec.js';
import { answer, UdpResponder, type Script } from './udp-responder.js';

const D = '3cb8fb8961578aeaeee9cd9f26f6aae37e6bab47483bbc6e47ed507a07cff60ed54fce7da7e57a682937e02380fbaa0d936ed6a7b2accbb60c0ad2bd52813276';
const OTHER = 'cc'.repeat(64);
const servers: UdpResponder[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

async function run(argv: string[], script?: Script): Promise<{ code: number; out: string[]; err: string[]; server?: UdpResponder }> {
  const out: string[] = [];
  const err: string[] = [];
  let server: UdpResponder | undefined;
  if (script) {
    server = await UdpResponder.start(script);
    servers.push(server);
    argv = [...argv, '--server', `127.0.0.1:${server.port}`];
  }
  // Defaults first: parseArgs keeps the last value, so a test's own --timeout/--retries win.
  const code = await runCli(['--timeout', '500', '--retries', '2', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, server };
}

describe('fuzzyd-cli', () => {
  it('check: hit, shingle hit (stored digest differs), miss', async () => {
    const hit = await run(['check', D], (g) => [answer(g.req!, { value: 10, flag: 1, prob: 1 })]);
    expect(hit).toMatchObject({ code: EXIT_OK, out: ['check 3cb8fb89..: hit flag=1 value=10 prob=1.00'] });
    const fuzzy = await run(['check', D], (g) => [answer(g.req!, { value: 1, flag: 1, prob: 0.96875, digest: Buffer.from(OTHER, 'hex') })]);
    expect(fuzzy.out).toEqual(['check 3cb8fb89..: hit flag=1 value=1 prob=0.97 matched=cccccccc..']);
    const miss = await run(['check', D], (g) => [answer(g.req!, { prob: 0, flag: 0 })]);
    expect(miss).toMatchObject({ code: EXIT_OK, out: ['check 3cb8fb89..: miss'] });
  });

  it('add sends WRITE with flag and weight and reports success', async () => {
    const r = await run(['add', D, '--flag', '3', '--weight', '7'], (g) => [answer(g.req!)]);
    expect(r).toMatchObject({ code: EXIT_OK, out: ['add 3cb8fb89..: ok flag=3 weight=7'] });
    const req = r.server!.received[0].req!;
    expect([req.cmd, req.flag, req.value, req.digest.toString('hex')]).toEqual([1, 3, 7, D]);
  });

  it('exits 3 when the server refuses (403) or skips (401)', async () => {
    const refused = await run(['add', D, '--flag', '1'], (g) => [answer(g.req!, { value: 403, prob: 0 })]);
    expect(refused).toMatchObject({ code: EXIT_REFUSED, out: ['add 3cb8fb89..: refused (403)'] });
    const skipped = await run(['add', D, '--flag', '1'], (g) => [answer(g.req!, { value: 401, prob: 0 })]);
    expect(skipped).toMatchObject({ code: EXIT_REFUSED, out: ['add 3cb8fb89..: skipped (401)'] });
  });

  it('--proto 5 asks for rspamd 4.x replies and shows every flag of a hit', async () => {
    const r = await run(['check', D, '--proto', '5'], (g) => [
      answer(g.req!, { value: 10, flag: 50, prob: 1, extraFlags: [{ flag: 51, value: 4 }], matched: true }),
    ]);
    expect(r.server!.received[0].req!.version).toBe(5);
    expect(r).toMatchObject({ code: EXIT_OK, out: ['check 3cb8fb89..: hit flag=50 value=10 +flag=51 value=4 prob=1.00'] });
    const json = JSON.parse((await run(['check', D, '--proto', '5', '--json'], (g) => [answer(g.req!, { value: 1, flag: 2, prob: 1, extraFlags: [{ flag: 3, value: 1 }] })])).out[0]);
    expect(json.reply).toMatchObject({ extraFlags: [{ flag: 3, value: 1 }] });
  });

  it('exits 3 for rspamd 3.10+ refusals too (503 refused write, 415 plaintext under encrypted_only)', async () => {
    for (const value of [503, 415]) {
      const r = await run(['add', D, '--flag', '1'], (g) => [answer(g.req!, { value, prob: 0 })]);
      expect(r).toMatchObject({ code: EXIT_REFUSED, out: [`add 3cb8fb89..: refused (${value})`] });
    }
  });

  it('stat adds the high half of a 64-bit count (rspamd ≥ 3.8 puts it in value)', async () => {
    const r = await run(['stat'], (g) => [answer(g.req!, { value: 1, flag: 5 })]);
    expect(r.out).toEqual([`stat: ${2 ** 32 + 5} hashes`]);
  });

  it('stat prints the count from flag; --json carries it and the reply fields', async () => {
    const human = await run(['stat'], (g) => [answer(g.req!, { flag: 2 })]);
    expect(human.out).toEqual(['stat: 2 hashes']);
    const json = await run(['stat', '--json'], (g) => [answer(g.req!, { flag: 2 })]);
    const parsed = JSON.parse(json.out[0]);
    expect(parsed).toMatchObject({ command: 'stat', result: 'ok', count: 2, reply: { value: 0, flag: 2, prob: 1, extended: true } });
    expect(parsed.reply.tag).toBe(json.server!.received[0].req!.tag);
  });

  it('ping and del', async () => {
    const ping = await run(['ping', '77'], (g) => [answer(g.req!, { value: g.req!.value })]);
    expect(ping.out[0]).toMatch(/^ping: ok value=77 time=\d+\.\dms$/);
    const del = await run(['del', D, '--flag', '5'], (g) => [answer(g.req!)]);
    expect(del.out).toEqual(['del 3cb8fb89..: ok']);
    expect(del.server!.received[0].req!.flag).toBe(5);
  });

  it('encrypts with --key', async () => {
    const kp = generateKeypair();
    const crypto = await FuzzyCrypto.create([kp]);
    const r = await run(['stat', '--key', kp.pubkey], (g) => {
      const { plain, nm } = crypto.decryptRequest(g.raw);
      return [crypto.encryptReply(encodeReply({ value: 0, flag: 5, tag: plain.readUInt32LE(8), prob: 1, digest: Buffer.alloc(64), ts: 0 }, 96), nm)];
    });
    expect(r).toMatchObject({ code: EXIT_OK, out: ['stat: 5 hashes'] });
  });

  it('exits 2 when nobody answers', async () => {
    const r = await run(['stat', '--timeout', '50', '--retries', '0'], () => []);
    expect(r.code).toBe(EXIT_NO_ANSWER);
    expect(r.err[0]).toMatch(/^fuzzyd-cli: 127\.0\.0\.1:\d+: no reply from the fuzzy server after 1 attempt/);
  });

  it('exits 1 on bad input without sending anything', async () => {
    for (const argv of [['check', 'abc'], ['add', D, '--flag', '256'], ['stat', '--server', '[::1']]) {
      const r = await run(argv);
      expect(r.code).toBe(EXIT_BAD_INPUT);
      expect(r.err[0]).toMatch(/^fuzzyd-cli: /);
    }
    const badKey = await run(['stat', '--key', 'not-a-key']);
    expect(badKey.code).toBe(EXIT_BAD_INPUT);
    expect(badKey.err[0]).toMatch(/--key/);
  });

  it('prints usage for --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out[0]).toMatch(/^usage: fuzzyd-cli/);
  });
});
