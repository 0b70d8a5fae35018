import { mkdtempSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  TrainerWorkerError,
  TrainingAbortedError,
  TrainingDivergedError,
  TrainingInputError,
} from '../../../../server/src/neural/training/errors.js';
import { readKann } from '../../../helpers/kann/kann-reader.js';
import { parseTensor } from '../../../../server/src/neural/training/pca-tensor.js';
import { runPackedTraining } from '../../../../server/src/neural/training/run-training.js';
import { packTraining, TrainingInput } from '../../../../server/src/neural/training/training-input.js';
import { TrainProgress, trainInWorker } from '../../../../server/src/neural/training/trainer-client.js';
import { ensureCompiledTraining } from './compiled-worker.js';
import { syntheticRows } from './synthetic-rows.js';

const data = syntheticRows({ nRows: 600, nCols: 40, seed: 77n });
const request = (over: Partial<TrainingInput> = {}): TrainingInput => ({
  spam: data.spam,
  ham: data.ham,
  maxIterations: 12,
  learningRate: 0.01,
  hiddenLayerMult: 1.5,
  ...over,
});

/** A throwaway worker script, to exercise failure paths of the client. */
function fakeWorker(body: string): URL {
  const dir = mkdtempSync(join(tmpdir(), 'fuzzyd-fake-worker-'));
  const file = join(dir, 'worker.mjs');
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${body}\n`);
  return pathToFileURL(file);
}
const missingWorker = pathToFileURL(join(tmpdir(), 'no-such-dir', 'train-worker.js'));

beforeAll(() => ensureCompiledTraining(), 120_000);

describe('request validation happens before any worker starts', () => {
  it.each<[string, Partial<TrainingInput>, RegExp]>([
    ['no spam rows', { spam: [] }, /at least one spam row/],
    ['no ham rows', { ham: [] }, /at least one ham row/],
    ['ragged rows', { ham: [...data.ham.slice(0, 3), data.ham[3].slice(1)] }, /ham row 3 has 39 values, expected 40/],
    ['a NaN', { spam: [data.spam[0], data.spam[1].map((v, j) => (j === 7 ? Number.NaN : v))] }, /spam row 1 column 7 is NaN/],
    ['a non-number', { spam: [data.spam[0].map((v, j) => (j === 0 ? ('1' as unknown as number) : v))] }, /spam row 0 column 0 is 1, not a finite/],
    ['an overflowing float', { spam: [data.spam[0].map((v, j) => (j === 2 ? 1e39 : v))] }, /column 2/],
    ['bad maxIterations', { maxIterations: 0 }, /maxIterations/],
    ['bad learning rate', { learningRate: Number.NaN }, /learningRate/],
    ['maxInputs wider than the rows', { maxInputs: 41 }, /maxInputs must be an integer in 1..40/],
    ['an all-zero seed', { seed: [0n, 0n] }, /seed/],
    ['a huge network', { hiddenLayerMult: 1e6 }, /hidden weights/],
  ])('rejects %s with a TrainingInputError', async (_name, over, msg) => {
    // the worker URL does not exist: reaching the worker would give a TrainerWorkerError instead
    const p = trainInWorker(request(over), undefined, undefined, { workerUrl: missingWorker });
    await expect(p).rejects.toThrow(TrainingInputError);
    await expect(trainInWorker(request(over), undefined, undefined, { workerUrl: missingWorker })).rejects.toThrow(msg);
  });
});

describe('training in a worker thread', () => {
  it('returns the same network as an in-process run, with progress per epoch and CPU figures', async () => {
    const mainPriority = getPriority();
    const progress: TrainProgress[] = [];
    const result = await trainInWorker(request(), (p) => progress.push(p));
    const local = runPackedTraining(packTraining(request()));
    expect(result.kann.equals(Buffer.from(local.kann))).toBe(true); // deterministic across threads
    expect(result.nInputs).toBe(40);
    expect(result.hidden).toBe(61);
    expect(result.epochs).toBe(progress.length);
    expect(progress.map((p) => p.epoch)).toEqual(Array.from({ length: result.epochs }, (_, i) => i));
    expect(progress[0].validationCost).toBeGreaterThan(result.bestValidationCost);
    expect(result.trainCost).toBe(progress[progress.length - 1].trainCost);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.cpu.processMs).toBeGreaterThan(0);
    if (process.platform === 'linux') {
      expect(result.cpu.threadMs).not.toBeNull();
      expect(result.cpu.niceApplied).toBe(true); // the worker thread runs at nice 10 …
      expect(getPriority()).toBe(mainPriority); // … and the event-loop thread keeps its priority
    }
    const net = readKann(result.kann);
    expect(net.forward(data.spam[0])).toBeGreaterThan(0);
    expect(net.forward(data.ham[0])).toBeLessThan(0);
    expect(result.pca).toBeUndefined();
  });

  it('runs PCA first when maxInputs is set and returns the tensor', async () => {
    const result = await trainInWorker(request({ maxInputs: 10, maxIterations: 3 }));
    expect(result.nInputs).toBe(10);
    expect(readKann(result.kann).nIn).toBe(10);
    const tensor = parseTensor(result.pca!);
    expect([tensor.rows, tensor.cols]).toEqual([10, 40]);
  });

  it('abort terminates the worker and rejects with TrainingAbortedError', async () => {
    const big = syntheticRows({ nRows: 3000, nCols: 200, seed: 5n });
    const ac = new AbortController();
    let epochs = 0;
    const p = trainInWorker({ ...request(), spam: big.spam, ham: big.ham, maxIterations: 500 }, () => {
      if (++epochs === 1) ac.abort();
    }, ac.signal);
    await expect(p).rejects.toThrow(TrainingAbortedError);
    expect(epochs).toBeLessThan(5);
  });

  it('an already aborted signal never starts a worker', async () => {
    await expect(trainInWorker(request(), undefined, AbortSignal.abort(), { workerUrl: missingWorker })).rejects.toThrow(TrainingAbortedError);
  });
});

describe('worker failures reject the promise and leave the process running', () => {
  it('worker that throws while loading', async () => {
    const url = fakeWorker(`throw new Error('boom at load');`);
    await expect(trainInWorker(request(), undefined, undefined, { workerUrl: url })).rejects.toThrow(/crashed: boom at load/);
  });

  it('worker that exits without a result', async () => {
    const url = fakeWorker(`process.exit(3);`);
    await expect(trainInWorker(request(), undefined, undefined, { workerUrl: url })).rejects.toThrow(/exited \(code 3\) without a result/);
  });

  it('typed errors reported by the worker keep their class', async () => {
    const url = fakeWorker(`parentPort.postMessage({ type: 'error', name: 'TrainingDivergedError', message: 'cost became NaN' });`);
    await expect(trainInWorker(request(), undefined, undefined, { workerUrl: url })).rejects.toThrow(TrainingDivergedError);
    const other = fakeWorker(`parentPort.postMessage({ type: 'error', name: 'RangeError', message: 'x' });`);
    await expect(trainInWorker(request(), undefined, undefined, { workerUrl: other })).rejects.toThrow(TrainerWorkerError);
  });

  it('a missing worker file is a TrainerWorkerError', async () => {
    await expect(trainInWorker(request(), undefined, undefined, { workerUrl: missingWorker })).rejects.toThrow(TrainerWorkerError);
  });

  it('a throwing progress listener stops the training and rejects with its error', async () => {
    const p = trainInWorker(request(), () => {
      throw new Error('listener broke');
    });
    await expect(p).rejects.toThrow('listener broke');
  });
});
