import { decompress } from '@mongodb-js/zstd';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { decodeVector } from '../../../server/src/neural/training/vector-codec.js';
import { waitForJob } from '../../e2e/neural/neural-harness.js';
import { readKann } from '../../helpers/kann/kann-reader.js';
import { generation } from '../../helpers/rspamd-generation.js';
import { classSettings, expectNeuralVerdicts, neuralInterop, waitForCounts } from '../../helpers/neural-interop.js';
import { rspamdNeuralAvailable } from '../../helpers/rspamd-neural.js';

/**
 * The funnel network end to end (docs/spec/neural-4x.md §4.2, §4.6, §6.1): a running rspamd 4.1.5 (sid chroot) whose
 * neural rule sets the funnel options collects vectors by scanning, fuzzyd — configured with the same options —
 * trains the funnel network from them and publishes it, and 4.1.5's scanner loads that ANN and scores with it.
 * rspamd's own trainer stays off (`store_set_only`), so every ANN in Redis is fuzzyd's.
 */

const RSPAMD_4 = generation('4.1.5');
const available = rspamdNeuralAvailable(RSPAMD_4);

const MESSAGE = [
  'From: sender@example.test',
  'To: rcpt@example.test',
  'Subject: neural funnel interop',
  'Message-ID: <neural-funnel-interop@example.test>',
  'Date: Tue, 01 Nov 2022 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, this is a short plain text message used to exercise the funnel network of rspamd 4.',
  '',
].join('\r\n');

const METATOKENS_4X = 46;
const SYMBOLS = 28;
const N_IN = METATOKENS_4X + SYMBOLS;
const SCANNED = [4, 5, 6, 7, 8, 9, 10, 11, 12]; // fourth symbol of the scanned rows; 13 and 14 stay unseen
// The funnel options as 4.1.5 names them (NL `create_embedding_ann`): widths max(⌊74·m⌋, 32) = 37 and 32.
const LAYERS = [0.5, 0.25];
const DROPOUT = 0.2;

/** rspamd's NEURAL_* option is `%.3f` of its output: within half a unit of the third decimal of ours, plus float noise. */
function expectPrintedScore(printed: number, ours: number): void {
  expect(Math.abs(printed - ours), `rspamd ${printed}, fuzzyd ${ours}`).toBeLessThanOrEqual(0.0005 + 1e-5);
}

const interop = neuralInterop(available, {
  generation: RSPAMD_4,
  rule: [
    'train { max_trains = 1000; max_iterations = 25; learning_rate = 0.01; spam_score = 1; ham_score = -1;',
    '  learn_mode = "proportional"; store_set_only = true; }',
    `layers = [${LAYERS.join(', ')}];`,
    `dropout = ${DROPOUT};`,
    'use_layernorm = true;',
    'watch_interval = 1;',
    'ann_expire = 86400;',
  ].join('\n'),
  fuzzydEnv: {
    FUZZYD_NEURAL_CONFIG: JSON.stringify({
      rules: {
        default: {
          train: { max_trains: 10, max_iterations: 25, learning_rate: 0.01 },
          layers: LAYERS,
          dropout: DROPOUT,
          use_layernorm: true,
          watch_interval: 1,
          ann_expire: 86400,
        },
      },
    }),
    FUZZYD_NEURAL_AUTOTRAIN: 'false',
    FUZZYD_NEURAL_HOSTNAME: 'fuzzyd@interop-funnel',
  },
});

describe.skipIf(!available)('rspamd 4.1.5 with funnel options scores with the funnel ANN fuzzyd trained', () => {
  it('collects vectors in 4.1.5, fuzzyd trains the funnel network and publishes, 4.1.5 loads it and fires NEURAL_SPAM / NEURAL_HAM', async () => {
    // 1. rspamd 4.1.5 stores one distinct row per scan (the sets deduplicate).
    for (const fourth of SCANNED) {
      expect((await interop.rspamd.scan(MESSAGE, classSettings('SPAM', fourth))).score).toBe(20);
      expect((await interop.rspamd.scan(MESSAGE, classSettings('HAM', fourth))).score).toBe(-12);
    }
    const set = await waitForCounts(interop.call, SCANNED.length, SCANNED.length);
    expect(set).toMatchObject({ generation: '4.x', zsetKey: 'rn3_default_3_default', metatokens: METATOKENS_4X });
    expect(set.vectors).toMatchObject({ spam: SCANNED.length, ham: SCANNED.length });
    const v0 = set.profiles[0];
    expect(v0).toMatchObject({ version: 0, symbols: SYMBOLS, hasAnn: false });

    // 2. fuzzyd trains; the report says the funnel network with the rule's two layers was trained.
    const res = await interop.call('POST', '/rules/default/settings/default/train');
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(interop.call, res.json().jobId, 60_000);
    expect(job, job.error ?? '').toMatchObject({
      state: 'succeeded',
      generation: '4.x',
      publishedVersion: 1,
      newKey: v0.redisKey.replace(/_0$/, '_1'),
      nInputs: N_IN,
      vectors: { spam: SCANNED.length, ham: SCANNED.length, invalid: 0, wrongWidth: 0, expectedWidth: N_IN },
    });
    expect(job.report).toMatchObject({ network: 'funnel', hiddenLayers: [37, 32], gate: { passed: true } });

    // The published blob is the funnel graph (GELU 37, layer norm's stdnorm 32, dropout 15), not the 13-node one.
    const net = readKann(await decompress((await interop.raw.hgetBuffer(job.newKey!, 'ann'))!));
    expect(net.nIn).toBe(N_IN);
    expect(net.weights).toBeNull();
    const ops = new Set(net.graph.nodes.flatMap((n) => (n.kind === 'op' ? [n.op] : [])));
    for (const op of [37, 32, 15]) expect(ops, `kann op ${op}`).toContain(op);

    // 3. 4.1.5's scanner loads fuzzyd's version at its next poll.
    const loaded = await interop.rspamd.waitForLog(
      new RegExp(`\\(normal\\).*loaded ANN for default:default from ${job.newKey}; \\d+ bytes compressed; version=1`),
      15_000,
      'the 4.1.5 normal worker to load the funnel ANN fuzzyd published',
    );
    expect(loaded).toBeTruthy();
    expect(interop.rspamd.log()).not.toMatch(/trained ANN|need to learn ANN/);

    // 4. Scans carry the network's verdict for a seen and an unseen combination; for the seen one rspamd's score is
    // fuzzyd's own forward pass over the row rspamd stored for that scan.
    const stored = await Promise.all((await interop.raw.smembersBuffer(`${v0.redisKey}_spam_set`)).map((f) => decodeVector(f)));
    const member = parseProfile((await interop.raw.zrange(set.zsetKey, 0, 0))[0], '4.x');
    if (!member.ok) throw new Error(member.reason);
    const seen = ['SPAM_SYMBOL1', 'SPAM_SYMBOL2', 'SPAM_SYMBOL3', 'SPAM_SYMBOL5'].join();
    const spam5 = stored.find((r) => member.profile.symbols.filter((_s, i) => r[METATOKENS_4X + i] > 0).join() === seen);
    expect(spam5, 'the stored row of the SPAM_SYMBOL5 scan').toBeDefined();
    for (const fourth of [5, 13]) {
      const spamScore = await expectNeuralVerdicts(interop.rspamd, MESSAGE, fourth);
      if (fourth === 5) expectPrintedScore(spamScore, net.forward(spam5!));
    }
    // A mixed scan lands between the classes, where the output is not saturated: rspamd's option (the score to 3
    // decimals, negative for NEURAL_HAM) is fuzzyd's forward pass over the same row (the message's metatokens). Of a
    // few mixes, the one the network is least sure about is scanned.
    const rowOf = (fired: string[]) => [...spam5!.slice(0, METATOKENS_4X), ...member.profile.symbols.map((sym) => (fired.includes(sym) ? 1 : 0))];
    const mixes = [
      ['SPAM_SYMBOL1', 'HAM_SYMBOL1'],
      ['SPAM_SYMBOL1', 'HAM_SYMBOL1', 'HAM_SYMBOL2'],
      ['SPAM_SYMBOL1', 'SPAM_SYMBOL2', 'HAM_SYMBOL1'],
      ['SPAM_SYMBOL1', 'SPAM_SYMBOL2', 'HAM_SYMBOL1', 'HAM_SYMBOL2'],
      ['SPAM_SYMBOL4', 'HAM_SYMBOL4'],
      ['SPAM_SYMBOL14', 'HAM_SYMBOL14'],
    ];
    const [mixed] = mixes.map((m) => [m, net.forward(rowOf(m))] as const).sort((a, b) => Math.abs(a[1]) - Math.abs(b[1]));
    const [fired, expected] = mixed;
    expect(Math.abs(expected), `least saturated of the mixes: ${fired.join()}`).toBeLessThan(0.99);
    const scored = await interop.rspamd.scan(
      MESSAGE,
      `{symbols_enabled = [${fired.map((m) => `"${m}"`).join(', ')}]; groups_enabled = ["neural"]; symbols_disabled = ["NEURAL_LEARN"];}`,
    );
    const verdict = expected > 0 ? scored.symbols.NEURAL_SPAM : scored.symbols.NEURAL_HAM;
    expect(verdict, JSON.stringify(scored.symbols)).toBeDefined();
    expectPrintedScore(Number(verdict!.options?.[0]), expected);

    expect(interop.rspamd.log()).not.toMatch(/bad input dimension|cannot parse profile schema|cannot unpack|cannot deserialise/);
  });
});
