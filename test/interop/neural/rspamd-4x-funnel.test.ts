/**
 * rspamd 4.x's funnel network (docs/spec/neural-4x.md §4.2) against real rspamd 4.1.5 from the sid chroot, driven
 * through `rspamadm lua` with the plugin's own builder (`plugins/neural`.create_ann) and the `rspamd_kann` binding:
 * - untrained, fuzzyd's blob is rspamd's byte for byte (graph, flags, initial weights, dropout generator states);
 * - rspamd loads the ANN fuzzyd trained and scores every row as fuzzyd's own evaluator does;
 * - rspamd's own `train1` on the same rows follows fuzzyd's loss curve and ends at the same outputs;
 * - rspamd's own ROC threshold function (read at test time from the installed plugin library) gives fuzzyd's
 *   thresholds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFunnelKann } from '../../../server/src/neural/training/funnel-graph.js';
import { type FunnelOptions, funnelShape, initFunnel } from '../../../server/src/neural/training/funnel-network.js';
import { funnelOutputs, trainFunnel } from '../../../server/src/neural/training/funnel-trainer.js';
import { KannRandom } from '../../../server/src/neural/training/rng.js';
import { rocThresholds } from '../../../server/src/neural/training/roc-thresholds.js';
import type { EpochReport } from '../../../server/src/neural/training/train-loop.js';
import { readKann } from '../../helpers/kann/kann-reader.js';
import { generation, rspamdCommand, unavailableReason } from '../../helpers/rspamd-generation.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { syntheticRows } from '../../unit/neural/training/synthetic-rows.js';

const gen = generation('4.1.5');
const skip = unavailableReason(gen);
const dir = tempDir('fuzzyd-funnel-'); // under /tmp, which the chroot shares

afterAll(() => dir.remove());

let scripts = 0;
/** Runs a Lua chunk in a fresh `rspamadm lua` (so kann's global generator starts from its fixed state). */
function rspamdLua(source: string): string {
  const file = dir.file(`script-${++scripts}.lua`);
  writeFileSync(file, source);
  const [cmd, args] = rspamdCommand(gen, '/usr/bin/rspamadm', ['lua', file]);
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
}

/** A Lua rule table for create_ann with rspamd's option names. */
function luaRule(o: FunnelOptions): string {
  const parts: string[] = [];
  if (o.layers) parts.push(`layers = {${o.layers.join(', ')}}`);
  if (o.dropout !== undefined) parts.push(`dropout = ${o.dropout}`);
  if (o.useLayernorm !== undefined) parts.push(`use_layernorm = ${o.useLayernorm}`);
  if (o.activation) parts.push(`activation = '${o.activation}'`);
  return `{ ${parts.join(', ')} }`;
}

/** Rows as a Lua table literal; float32 values printed as their exact doubles, so C gets the same floats back. */
function luaRows(rows: Float32Array, nRows: number, nCols: number): string {
  const out: string[] = [];
  for (let r = 0; r < nRows; r++) out.push(`{${Array.from(rows.subarray(r * nCols, (r + 1) * nCols)).join(',')}}`);
  return `{\n${out.join(',\n')}\n}`;
}

const outputsOf = (text: string) => text.split('\n').filter((l) => l.startsWith('out ')).map((l) => Number(l.split(' ')[1]));

function dataset(nRows: number, nCols: number, seed: bigint) {
  const { spam, ham } = syntheticRows({ nRows, nCols, seed, density: 0.2 });
  const all = [...spam, ...ham];
  const rows = Float32Array.from(all.flat());
  const targets = Float32Array.from(all.map((_, i) => (i < spam.length ? 1 : -1)));
  return { rows, targets, nRows: all.length, nCols };
}

describe.skipIf(skip !== null)(`funnel network and rspamd 4.1.5 (${skip ?? 'sid chroot'})`, () => {
  it.each<[string, number, FunnelOptions]>([
    ['one GELU layer with layer norm and dropout (n = 64)', 64, { layers: [0.5], dropout: 0.2 }],
    ['two ReLU layers, no layer norm, dropout 0.3 (n = 80)', 80, { layers: [0.5, 0.25], dropout: 0.3, useLayernorm: false, activation: 'relu' }],
    ['the defaults for n = 300 (two layers, GELU, layer norm, dropout 0.2)', 300, { useLayernorm: true }],
  ])('untrained, rspamd builds the blob fuzzyd builds, byte for byte: %s', (_label, n, options) => {
    const file = dir.file(`untrained-${n}.kann`);
    rspamdLua(`
      local ann = require("plugins/neural").create_ann(${n}, 1, ${luaRule(options)})
      local f = assert(io.open("${file}", "wb")); f:write(tostring(ann:save())); f:close()
    `);
    const { weights, dropoutRngs } = initFunnel(funnelShape(n, options), new KannRandom());
    const ours = writeFunnelKann(weights, dropoutRngs.map((r) => r?.stateBytes() ?? null));
    const theirs = readFileSync(file);
    expect(ours.length).toBe(theirs.length);
    expect(ours.equals(theirs)).toBe(true);
  });

  it('loads the funnel ANN fuzzyd trained and scores every row as fuzzyd\'s evaluator does (5 digits)', () => {
    const data = dataset(160, 48, 21n);
    const options: FunnelOptions = { layers: [0.75, 0.5], dropout: 0.2 };
    const trained = trainFunnel(data, options, { maxIterations: 15, learningRate: 0.01 });
    const ours = funnelOutputs(trained.model, data.rows, data.nRows, data.nCols);
    const blob = writeFunnelKann(trained.weights, trained.dropoutStates);
    const evaluator = readKann(blob);
    const file = dir.file('fuzzyd-trained.kann');
    writeFileSync(file, blob);
    const printed = rspamdLua(`
      local kann = require "rspamd_kann"
      local f = assert(io.open("${file}", "rb")); local blob = f:read("*a"); f:close()
      local ann = assert(kann.load(blob))
      for _, row in ipairs(${luaRows(data.rows, data.nRows, data.nCols)}) do
        print(string.format("out %.9g", ann:apply1(row)[1]))
      end
    `);
    const theirs = outputsOf(printed);
    expect(theirs.length).toBe(data.nRows);
    let spread = 0;
    for (let r = 0; r < data.nRows; r++) {
      const row = data.rows.subarray(r * data.nCols, (r + 1) * data.nCols);
      expect(Math.abs(theirs[r] - evaluator.forward(row)), `row ${r}`).toBeLessThan(1e-5);
      expect(Math.abs(theirs[r] - ours[r]), `row ${r}`).toBeLessThan(1e-5);
      spread = Math.max(spread, Math.abs(theirs[r] - theirs[0]));
    }
    expect(spread).toBeGreaterThan(0.5); // a model that says something, not a constant
  });

  it('rspamd\'s own train1 on the same rows follows the same loss curve and ends at the same outputs', () => {
    const data = dataset(150, 40, 33n);
    const options: FunnelOptions = { layers: [0.5], dropout: 0.2 };
    const epochs: EpochReport[] = [];
    const trained = trainFunnel(data, options, { maxIterations: 20, learningRate: 0.01, onEpoch: (e) => epochs.push(e) });
    const ours = funnelOutputs(trained.model, data.rows, data.nRows, data.nCols);
    const outputs = Array.from(data.targets).map((t) => `{${t}}`).join(',');
    const printed = rspamdLua(`
      local neural_common = require "plugins/neural"
      local inputs = ${luaRows(data.rows, data.nRows, data.nCols)}
      local ann = neural_common.create_ann(${data.nCols}, 1, ${luaRule(options)})
      ann:train1(inputs, {${outputs}}, { lr = 0.01, max_epoch = 20, cb = function(iter, train_cost, val_cost)
        print(string.format("epoch %d %.9g %.9g", iter, train_cost, val_cost))
      end })
      for _, row in ipairs(inputs) do print(string.format("out %.9g", ann:apply1(row)[1])) end
    `);
    const theirEpochs = printed.split('\n').filter((l) => l.startsWith('epoch ')).map((l) => l.split(' ').slice(1).map(Number));
    expect(theirEpochs.length).toBe(epochs.length);
    theirEpochs.forEach(([epoch, trainCost, valCost], i) => {
      expect(epoch).toBe(i + 1);
      expect(Math.abs(trainCost - epochs[i].trainCost) / trainCost, `epoch ${epoch} train cost`).toBeLessThan(1e-3);
      expect(Math.abs(valCost - epochs[i].validationCost) / valCost, `epoch ${epoch} validation cost`).toBeLessThan(1e-3);
    });
    const theirs = outputsOf(printed);
    expect(theirs.length).toBe(data.nRows);
    theirs.forEach((y, r) => expect(Math.abs(y - ours[r]), `row ${r}`).toBeLessThan(1e-4));
  });

  it('rspamd\'s own get_roc_thresholds gives the thresholds fuzzyd publishes', () => {
    // The function is local to the plugin library, so the test lifts its text out of the installed file and runs
    // it against a stand-in ANN whose apply1 returns the given outputs (distinct, so table.sort's order is unique).
    const library = readFileSync(join(gen.root, 'usr/share/rspamd/lualib/plugins/neural.lua'), 'utf8');
    const source = /^local function get_roc_thresholds\(.*?^end$/ms.exec(library)?.[0];
    expect(source, 'get_roc_thresholds in the installed plugin library').toBeTruthy();
    const rnd = new KannRandom([77n, 78n]);
    const n = 60;
    const outputs = Array.from({ length: n }, () => Math.fround(rnd.uniform() * 2 - 1));
    const targets = outputs.map((o) => (o + (rnd.uniform() - 0.5) * 0.8 > 0 ? 1 : -1));
    const printed = rspamdLua(`
      ${source}
      local scores = {${outputs.join(',')}}
      local inputs, outputs = {}, {}
      for i, t in ipairs({${targets.join(',')}}) do inputs[i] = i; outputs[i] = { t } end
      local ann = { apply1 = function(_, i) return { scores[i] } end }
      for _, cost in ipairs({0.5, 0.2, 0.9}) do
        print(string.format("roc %.17g %.17g", get_roc_thresholds(ann, inputs, outputs, 1 - cost, cost),
          get_roc_thresholds(ann, inputs, outputs, cost, 1 - cost)))
      end
    `);
    const theirs = printed.split('\n').filter((l) => l.startsWith('roc ')).map((l) => l.split(' ').slice(1).map(Number));
    expect(theirs).toEqual([0.5, 0.2, 0.9].map((c) => rocThresholds(outputs, targets, c)));
  });
});
