/**
 * The funnel network's kann blob (neural-4x.md §4.2): node list, flags, operator parameters and data block as rspamd
 * 4.1.5 builds them, read back by the test kann reader and evaluated to the trainer's own outputs. The symbol
 * network's blob stays the 3.4 one.
 */
import { describe, expect, it } from 'vitest';
import { funnelGraph, writeFunnelKann } from '../../../../server/src/neural/training/funnel-graph.js';
import { funnelShape, initFunnel } from '../../../../server/src/neural/training/funnel-network.js';
import { funnelOutputs, trainFunnel } from '../../../../server/src/neural/training/funnel-trainer.js';
import { KannOp } from '../../../../server/src/neural/training/kann-format.js';
import { writeKann } from '../../../../server/src/neural/training/kann-writer.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';
import { runPackedTraining } from '../../../../server/src/neural/training/run-training.js';
import { packTraining } from '../../../../server/src/neural/training/training-input.js';
import { trainNetwork } from '../../../../server/src/neural/training/trainer.js';
import { readKann } from '../../../helpers/kann/kann-reader.js';
import { syntheticRows } from './synthetic-rows.js';

const states = (rngs: (KannRandom | null)[]) => rngs.map((r) => r?.stateBytes() ?? null);

describe('funnel kann graph', () => {
  it('is the 21-node graph 4.1.5 builds for n = 64, layers {0.5} (578-byte header, 2177 vars + 1 const)', () => {
    const shape = funnelShape(64, { layers: [0.5] });
    const { weights, dropoutRngs } = initFunnel(shape, new KannRandom());
    const { nodes, values } = funnelGraph(weights, states(dropoutRngs));
    const ops = nodes.map((n) => (n.kind === 'leaf' ? (n.flag & 1 ? 'var' : n.flag & 2 ? 'const' : 'feed') : n.op));
    expect(ops).toEqual([
      'feed', 'var', KannOp.cmul, 'var', KannOp.add,
      KannOp.stdnorm, 'var', KannOp.mul, 'var', KannOp.add,
      KannOp.gelu, 'const', KannOp.dropout, KannOp.select,
      'var', KannOp.cmul, 'var', KannOp.add, KannOp.tanh, 'feed', KannOp.ceBinNeg,
    ]);
    const at = (i: number) => nodes[i];
    expect(at(0)).toMatchObject({ extFlag: 1, dims: [1, 64] });
    expect(at(1)).toMatchObject({ dims: [32, 64] });
    expect(at(12)).toMatchObject({ children: [10, 11], flag: 1 });
    expect(at(13)).toMatchObject({ children: [10, 12], flag: 1 });
    const select = at(13);
    const dropout = at(12);
    if (select.kind !== 'op' || dropout.kind !== 'op') throw new Error('not operators');
    expect([...select.params]).toEqual([0, 0, 0, 0]); // branch 0: no dropout at inference
    expect(dropout.params.length).toBe(32);
    expect(at(18).extFlag).toBe(2);
    expect(at(19)).toMatchObject({ extFlag: 4, dims: [1, 1] });
    expect(at(20).extFlag).toBe(8);
    // rate 0.2 on the only (= last) layer is halved; the value sits in the const block
    expect(values.get(11)).toEqual(Float32Array.of(0.1));
    expect([...values.get(6)!].every((v) => v === 1)).toBe(true); // γ starts at 1

    const blob = writeFunnelKann(weights, states(dropoutRngs));
    const nVars = 32 * 64 + 32 + 32 + 32 + 32 + 1;
    expect(nVars).toBe(2177);
    expect(blob.length).toBe(578 + 4 * (2177 + 1));
  });

  it('without layer norm and dropout it is dense → ReLU only', () => {
    const shape = funnelShape(40, { layers: [1], dropout: 0, useLayernorm: false, activation: 'relu' });
    const { weights, dropoutRngs } = initFunnel(shape, new KannRandom());
    const ops = funnelGraph(weights, states(dropoutRngs)).nodes.map((n) => (n.kind === 'op' ? n.op : n.kind));
    expect(ops).toEqual(['leaf', 'leaf', KannOp.cmul, 'leaf', KannOp.add, KannOp.relu, 'leaf', KannOp.cmul, 'leaf', KannOp.add, KannOp.tanh, 'leaf', KannOp.ceBinNeg]);
  });

  it('reads back through the kann reader and evaluates to the trainer\'s own outputs (two layers, n = 300 default)', () => {
    const { spam, ham } = syntheticRows({ nRows: 400, nCols: 300, seed: 11n });
    const job = packTraining({ spam, ham, maxIterations: 4, learningRate: 0.001, hiddenLayerMult: 1.5, network: {} });
    const nRows = job.nSpam + job.nHam;
    const targets = Float32Array.from({ length: nRows }, (_, i) => (i < job.nSpam ? 1 : -1));
    const out = trainFunnel({ rows: job.rows, nRows, nCols: 300, targets }, {}, { maxIterations: 4, learningRate: 0.001 });
    expect(out.weights.shape.sizes).toEqual([150, 75]);
    const ours = funnelOutputs(out.model, job.rows, nRows, 300);
    const loaded = readKann(writeFunnelKann(out.weights, out.dropoutStates));
    expect(loaded.nIn).toBe(300);
    expect(loaded.weights).toBeNull(); // not the symbol network
    let worst = 0;
    for (let r = 0; r < nRows; r += 7) {
      worst = Math.max(worst, Math.abs(loaded.forward(job.rows.subarray(r * 300, (r + 1) * 300)) - ours[r]));
    }
    expect(worst).toBeLessThan(1e-5);
    // and the model learned something: spam rows score above ham rows on average
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(ours.subarray(0, job.nSpam))).toBeGreaterThan(mean(ours.subarray(job.nSpam)));
  });
});

describe('symbol rules keep the 3.4 network', () => {
  it('runPackedTraining without funnel options writes exactly writeKann(trainNetwork(...))', () => {
    const { spam, ham } = syntheticRows({ nRows: 120, nCols: 30, seed: 5n });
    const job = packTraining({ spam, ham, maxIterations: 12, learningRate: 0.01, hiddenLayerMult: 1.5 });
    const nRows = job.nSpam + job.nHam;
    const targets = Float32Array.from({ length: nRows }, (_, i) => (i < job.nSpam ? 1 : -1));
    const direct = trainNetwork({ rows: job.rows, nRows, nCols: 30, targets }, { maxIterations: 12, learningRate: 0.01, hiddenLayerMult: 1.5 });
    const result = runPackedTraining(job);
    expect(result.network).toBe('symbol');
    expect(Buffer.from(result.kann).equals(writeKann(direct.weights))).toBe(true);
    expect(result.history.map((e) => e.validationCost)).toEqual(direct.epochs.map((e) => e.validationCost));
  });
});
