import { decompress } from '@mongodb-js/zstd';
import { describe, expect, it } from 'vitest';
import { parseNeuralConfig } from '../../../server/src/neural/neural-config.js';
import { createNeuralRedis } from '../../../server/src/neural/redis/neural-redis.client.js';
import { NeuralRedisRepository } from '../../../server/src/neural/redis/neural-redis.repository.js';
import { parseProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { decodeVector } from '../../../server/src/neural/training/vector-codec.js';
import { waitForJob } from '../../e2e/neural/neural-harness.js';
import { readKann } from '../../helpers/kann/kann-reader.js';
import { generation } from '../../helpers/rspamd-generation.js';
import { classRow, classSettings, defaultSet, expectNeuralVerdicts, neuralInterop, pushClassRows, waitForCounts } from '../../helpers/neural-interop.js';
import { rspamdNeuralAvailable } from '../../helpers/rspamd-neural.js';

/**
 * fuzzyd manages and trains rspamd 4.1.5's neural data (docs/spec/neural-4x.md): the `rn3_` profiles zset, 46 + n
 * rows, the lock, and a publish with 4.1.1+'s save steps. Real rspamd 4.1.5 (Debian sid chroot) collects the vectors
 * by scanning messages, with `store_set_only` so it never trains itself; fuzzyd trains, and 4.1.5 loads fuzzyd's ANN
 * and scores with it.
 */

const RSPAMD_4 = generation('4.1.5');
const available = rspamdNeuralAvailable(RSPAMD_4);

const MESSAGE = [
  'From: sender@example.test',
  'To: rcpt@example.test',
  'Subject: neural interop 4.x',
  'Message-ID: <neural-interop-4x@example.test>',
  'Date: Tue, 01 Nov 2022 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello, this is a short plain text message used to exercise the neural plugin of rspamd 4.',
  '',
].join('\r\n');

const PER_CLASS_SCANS = 7; // fourth symbol 4..10: distinct rows (the sets deduplicate)
const PER_CLASS_PUSHES = 3; // fourth symbol 11..13, pushed through fuzzyd's REST API
const METATOKENS_4X = 46;
const LOCK_OWNER = 'fuzzyd@interop-4x';

const interop = neuralInterop(available, {
  generation: RSPAMD_4,
  rule: [
    // Thresholds decide the class; store_set_only (4.0.0+) keeps rspamd's own trainer off (neural-4x.md §2.4).
    'train { max_trains = 1000; max_iterations = 25; learning_rate = 0.01; spam_score = 1; ham_score = -1;',
    '  learn_mode = "proportional"; store_set_only = true; }',
    'watch_interval = 1;',
    'ann_expire = 86400;',
  ].join('\n'),
  fuzzydEnv: {
    FUZZYD_NEURAL_CONFIG: JSON.stringify({ rules: { default: { train: { max_trains: 10 }, watch_interval: 1, ann_expire: 86400 } } }),
    FUZZYD_NEURAL_AUTOTRAIN: 'false',
    FUZZYD_NEURAL_HOSTNAME: LOCK_OWNER,
  },
});

describe.skipIf(!available)('rspamd 4.1.5 neural plugin: fuzzyd lists, locks and trains its rn3_ data, and 4.1.5 scores with the ANN', () => {
  it('collects vectors in 4.1.5, shows them as a 4.x set, holds 4.1.5 off with its lock, trains, and 4.1.5 fires NEURAL_SPAM / NEURAL_HAM', async () => {
    // 1. rspamd 4.1.5 stores vectors for scans that pass its thresholds, creating `rn3_default_3_default` with v0.
    for (let i = 0; i < PER_CLASS_SCANS; i++) {
      expect((await interop.rspamd.scan(MESSAGE, classSettings('SPAM', 4 + i))).score).toBe(20);
      expect((await interop.rspamd.scan(MESSAGE, classSettings('HAM', 4 + i))).score).toBe(-12);
    }
    let set = await waitForCounts(interop.call, PER_CLASS_SCANS, PER_CLASS_SCANS);
    expect(set).toMatchObject({
      generation: '4.x',
      selected: true,
      metatokens: METATOKENS_4X,
      zsetKey: 'rn3_default_3_default',
      vectors: { spam: PER_CLASS_SCANS, ham: PER_CLASS_SCANS, layout: 'set' },
      pendingVectors: { spam: 0, ham: 0 },
    });
    expect(set.profiles).toHaveLength(1);
    const v0 = set.profiles[0];
    expect(v0).toMatchObject({ version: 0, symbols: 28, current: true, hasAnn: false, generation: '4.x', obsolete: false });
    // The 3.4 registry stays empty: 4.x never writes rn2_ (neural-4x.md §7).
    expect(await interop.raw.exists('rn2_default_1_default')).toBe(0);

    // rspamd's rows are 46 metatokens + 28 symbols wide.
    const member = parseProfile((await interop.raw.zrange(set.zsetKey, 0, 0))[0], '4.x');
    if (!member.ok) throw new Error(member.reason);
    const symbols = member.profile.symbols;
    const [sample] = await interop.raw.smembersBuffer(`${v0.redisKey}_spam_set`);
    const rspamdRow = await decodeVector(sample);
    expect(rspamdRow).toHaveLength(METATOKENS_4X + symbols.length);

    // 2. A lock taken with fuzzyd's own lock code is honoured by 4.1.5's scanner: the vector is refused.
    const lockClient = createNeuralRedis(interop.redis.url);
    try {
      const repo = new NeuralRedisRepository(lockClient, parseNeuralConfig({ rules: { default: { watch_interval: 1 } } }));
      expect(await repo.tryLock(v0.redisKey, { hostname: LOCK_OWNER, watchInterval: 1 })).toEqual({ acquired: true });
    } finally {
      await lockClient.quit();
    }
    const locked = await defaultSet(interop.call);
    expect(locked.lock).toMatchObject({ locked: true, hostname: LOCK_OWNER });
    await interop.rspamd.scan(MESSAGE, classSettings('SPAM', 14));
    const refusal = await interop.rspamd.waitForLog(
      new RegExp(`cannot learn spam ANN default:default; redis_key: ${v0.redisKey}: locked for learning: ${LOCK_OWNER}:\\d+`),
      10_000,
      "4.1.5's scanner refusing a vector under fuzzyd's lock",
    );
    expect(refusal).toBeTruthy();
    expect(await interop.raw.scard(`${v0.redisKey}_spam_set`)).toBe(PER_CLASS_SCANS);
    // Released over fuzzyd's API, the same scan is stored again (and a ham one keeps the classes balanced).
    const unlock = await interop.call('DELETE', '/rules/default/settings/default/lock');
    expect(unlock.statusCode, unlock.body).toBe(200);
    expect(unlock.json()).toEqual({ removed: true, keys: [v0.redisKey] });
    await interop.rspamd.scan(MESSAGE, classSettings('SPAM', 14));
    await interop.rspamd.scan(MESSAGE, classSettings('HAM', 14));
    set = await waitForCounts(interop.call, PER_CLASS_SCANS + 1, PER_CLASS_SCANS + 1);
    expect(set.vectors).toMatchObject({ spam: PER_CLASS_SCANS + 1, ham: PER_CLASS_SCANS + 1 });

    // 3. fuzzyd pushes rows of the same kind: rspamd's 46 metatokens for this message, our symbol choice.
    const metatokens = rspamdRow.slice(0, METATOKENS_4X);
    const rowFor = classRow(metatokens, symbols);
    const narrow = await interop.call('POST', '/rules/default/settings/default/vectors', {
      body: { class: 'spam', values: rowFor('SPAM', 11).slice(20) },
    });
    expect(narrow.statusCode).toBe(400);
    expect(narrow.json().detail).toContain('must have 74 numbers (46 metatokens of the 4.x layout + 28 symbols');
    await pushClassRows(interop.call, rowFor, 4 + PER_CLASS_SCANS, PER_CLASS_PUSHES);
    const spamRows = PER_CLASS_SCANS + 1 + PER_CLASS_PUSHES;
    const hamRows = PER_CLASS_SCANS + 1 + PER_CLASS_PUSHES;
    expect((await defaultSet(interop.call)).vectors).toMatchObject({ spam: spamRows, ham: hamRows });

    // 4. fuzzyd trains and publishes version 1 = 1 + max(trained-from suffix 0, stored versions 0).
    const res = await interop.call('POST', '/rules/default/settings/default/train');
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(interop.call, res.json().jobId);
    expect(job, job.error ?? '').toMatchObject({
      state: 'succeeded',
      generation: '4.x',
      publishedVersion: 1,
      oldKey: v0.redisKey,
      newKey: v0.redisKey.replace(/_0$/, '_1'),
      nInputs: 74,
      vectors: { spam: spamRows, ham: hamRows, invalid: 0, wrongWidth: 0, expectedWidth: 74 },
    });

    // 5. 4.1.5's scanner loads it at its next poll (watch_interval 1 s).
    const loaded = await interop.rspamd.waitForLog(
      new RegExp(`\\(normal\\).*loaded ANN for default:default from ${job.newKey}; \\d+ bytes compressed; version=1`),
      15_000,
      'the 4.1.5 normal worker to load the ANN fuzzyd published',
    );
    expect(loaded).toBeTruthy();
    expect(interop.rspamd.log()).not.toMatch(/trained ANN|need to learn ANN/); // rspamd never trained itself

    // The publish left what 4.1.1+'s save leaves (neural-4x.md §0.1 step 3).
    expect(await interop.raw.hgetall(v0.redisKey)).toEqual({ hostname: LOCK_OWNER, obsolete: '1' });
    for (const key of [v0.redisKey, `${v0.redisKey}_spam_set`, `${v0.redisKey}_ham_set`]) {
      const ttl = await interop.raw.ttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(600);
    }
    const zsetTtl = await interop.raw.ttl(set.zsetKey);
    expect(zsetTtl).toBeGreaterThan(600);
    expect(zsetTtl).toBeLessThanOrEqual(86400);
    expect((await interop.raw.hkeys(job.newKey!)).sort()).toEqual(['ann', 'roc_thresholds']);

    // 6. Scans now carry the network's verdict, for symbol combinations it has seen and for an unseen one. For one
    // seen combination the score is exactly fuzzyd's own forward pass over the row rspamd stored for that scan.
    const net = readKann(await decompress((await interop.raw.hgetBuffer(job.newKey!, 'ann'))!));
    expect(net.nIn).toBe(74);
    const spam5 = (await Promise.all((await interop.raw.smembersBuffer(`${v0.redisKey}_spam_set`)).map((f) => decodeVector(f)))).find((r) => {
      const fired = symbols.filter((_sym, i) => r[METATOKENS_4X + i] > 0);
      return fired.join() === ['SPAM_SYMBOL1', 'SPAM_SYMBOL2', 'SPAM_SYMBOL3', 'SPAM_SYMBOL5'].join();
    });
    expect(spam5).toBeDefined();
    for (const fourth of [5, 13]) {
      const spamScore = await expectNeuralVerdicts(interop.rspamd, MESSAGE, fourth);
      if (fourth === 5) expect(spamScore).toBeCloseTo(net.forward(spam5!), 3);
    }
    expect(interop.rspamd.log()).not.toMatch(/bad input dimension|cannot parse profile schema/);

    // The scanner re-ranked the member it loaded (canonical bytes): one member per version, no duplicate.
    const versions = (await interop.raw.zrevrange(set.zsetKey, 0, -1)).map((m) => {
      const p = parseProfile(m, '4.x');
      return p.ok ? p.profile.version : -1;
    });
    expect(versions).toEqual([1, 0]);

    // fuzzyd shows v1 current and v0 obsolete.
    const after = await defaultSet(interop.call);
    expect(after.profiles.map((p) => [p.version, p.current, p.obsolete, p.hasAnn])).toEqual([
      [1, true, false, true],
      [0, false, true, false],
    ]);
  });
});
