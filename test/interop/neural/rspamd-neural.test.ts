import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { decodeVector } from '../../../server/src/neural/training/vector-codec.js';
import { waitForJob } from '../../e2e/neural/neural-harness.js';
import { classRow, classSettings, defaultSet, expectNeuralVerdicts, neuralInterop, pushClassRows, waitForCounts } from '../../helpers/neural-interop.js';
import { rspamdNeuralAvailable } from '../../helpers/rspamd-neural.js';

/**
 * fuzzyd trains rspamd's network (docs/spec/neural.md §15) and real rspamd 3.4 loads and uses it. rspamd collects
 * vectors itself (autotrain with score thresholds, as upstream's own tests do) but never trains: its max_trains is
 * far away, while fuzzyd's configuration of the same rule uses a small one and trains on demand.
 */

const MESSAGE = [
  'From: sender@example.test',
  'To: rcpt@example.test',
  'Subject: neural interop',
  'Message-ID: <neural-interop@example.test>',
  'Date: Tue, 01 Nov 2022 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, this is a short plain text message used to exercise the neural plugin.',
  '',
].join('\r\n');

const PER_CLASS_SCANS = 7; // fourth symbol 4..10: distinct rows (the sets deduplicate)
const PER_CLASS_PUSHES = 3; // fourth symbol 11..13, pushed through fuzzyd's REST API

const available = rspamdNeuralAvailable();
const interop = neuralInterop(available, {
  rule: [
    // Thresholds decide the class (spec §5.3); max_trains 1000 keeps rspamd's own trainer away.
    'train { max_trains = 1000; max_iterations = 25; learning_rate = 0.01; spam_score = 1; ham_score = -1; learn_mode = "proportional"; }',
    'watch_interval = 1;',
    'ann_expire = 86400;',
  ].join('\n'),
  fuzzydEnv: {
    FUZZYD_NEURAL_CONFIG: JSON.stringify({ rules: { default: { train: { max_trains: 10 }, watch_interval: 1 } } }),
    FUZZYD_NEURAL_AUTOTRAIN: 'false',
  },
});

describe.skipIf(!available)('rspamd 3.4 neural plugin loads and uses an ANN trained by fuzzyd', () => {
  it('collects vectors from rspamd and fuzzyd, trains in fuzzyd, and rspamd scores NEURAL_SPAM / NEURAL_HAM', async () => {
    // 1. rspamd stores vectors for scans that pass its thresholds, creating the version-0 profile on the way.
    for (let i = 0; i < PER_CLASS_SCANS; i++) {
      expect((await interop.rspamd.scan(MESSAGE, classSettings('SPAM', 4 + i))).score).toBe(20);
      expect((await interop.rspamd.scan(MESSAGE, classSettings('HAM', 4 + i))).score).toBe(-12);
    }
    const set = await waitForCounts(interop.call, PER_CLASS_SCANS, PER_CLASS_SCANS);
    expect(set.vectors).toEqual({ spam: PER_CLASS_SCANS, ham: PER_CLASS_SCANS, layout: 'set' });
    expect(set.profiles).toHaveLength(1);
    const v0 = set.profiles[0];
    expect(v0).toMatchObject({ version: 0, symbols: 28, current: true, hasAnn: false });

    // 2. fuzzyd pushes more rows of the same kind: rspamd's metatokens for this message, our symbol choice.
    const member = parseProfile((await interop.raw.zrange(set.zsetKey, 0, 0))[0]);
    if (!member.ok) throw new Error(member.reason);
    const symbols = member.profile.symbols;
    const [sample] = await interop.raw.smembersBuffer(`${v0.redisKey}_spam_set`);
    const metatokens = (await decodeVector(sample)).slice(0, 26);
    await pushClassRows(interop.call, classRow(metatokens, symbols), 4 + PER_CLASS_SCANS, PER_CLASS_PUSHES);
    const total = PER_CLASS_SCANS + PER_CLASS_PUSHES;
    expect((await defaultSet(interop.call)).vectors).toMatchObject({ spam: total, ham: total });

    // 3. fuzzyd trains and publishes version 1.
    const res = await interop.call('POST', '/rules/default/settings/default/train');
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(interop.call, res.json().jobId);
    expect(job, job.error ?? '').toMatchObject({
      state: 'succeeded',
      publishedVersion: 1,
      oldKey: v0.redisKey,
      nInputs: 54,
      vectors: { spam: total, ham: total, invalid: 0, wrongWidth: 0, expectedWidth: 54 },
    });

    // 4. rspamd's scanner loads it at its next poll (watch_interval 1 s).
    const loaded = await interop.rspamd.waitForLog(
      new RegExp(`\\(normal\\).*loaded ANN for default:default from ${job.newKey}; \\d+ bytes compressed; version=1`),
      10_000,
      'the normal worker to load the ANN fuzzyd published',
    );
    expect(loaded).toBeTruthy();
    expect(interop.rspamd.log()).not.toMatch(/trained ANN|need to learn ANN/); // rspamd never trained itself

    // 5. Scans now carry the network's verdict, for symbol combinations it has seen and for unseen ones.
    for (const fourth of [5, 14]) await expectNeuralVerdicts(interop.rspamd, MESSAGE, fourth);

    // The scanner re-ranked the profile it loaded (spec §4.1): still one member per version, no duplicate.
    const versions = (await interop.raw.zrevrange(set.zsetKey, 0, -1)).map((m) => {
      const p = parseProfile(m);
      return p.ok ? p.profile.version : -1;
    });
    expect(versions).toEqual([1, 0]);
  });
});
