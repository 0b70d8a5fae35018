// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NeuralJob, NeuralSetItem } from '../../../lib/api-types';
import { fakeApi, json, problem } from '../../../test/fake-api';
import { NeuralPage } from './neural-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const now = Math.floor(Date.now() / 1000);
const SET: NeuralSetItem = {
  rule: 'default',
  settings: 'default',
  zsetKey: 'rn2_default_1_default',
  configured: true,
  maxTrains: 10,
  watchInterval: 60,
  profiles: [
    { version: 0, digest: 'd'.repeat(103), redisKey: 'rn_default_default_dddddddd_0', symbols: 6, annBytes: 0, hasAnn: false, pca: false, ttl: null, score: now, current: true },
  ],
  invalidProfiles: [],
  vectors: { spam: 6, ham: 4, layout: 'set' },
  lock: { locked: true, held: true, hostname: 'scanner-7', lockTime: now - 20, ageSeconds: 20, expiresAt: now + 100 },
  activeJobId: null,
};

const job = (over: Partial<NeuralJob>): NeuralJob => ({
  id: 'j1', rule: 'default', settings: 'default', trigger: 'manual', state: 'running', epoch: 0, maxEpochs: 25,
  trainCost: null, validationCost: null, bestValidationCost: null, bestEpoch: null, stoppedEarly: false, history: [], createdAt: '', startedAt: null, finishedAt: null,
  fromVersion: 0, oldKey: null, publishedVersion: null, newKey: null, vectors: null, nInputs: null, hidden: null, report: null, error: null, ...over,
});

const REPORT: NonNullable<NeuralJob['report']> = {
  network: 'funnel',
  hiddenLayers: [32],
  balance: { spam: 40, ham: 30, trainSpam: 37, trainHam: 26, validationSpam: 3, validationHam: 4 },
  heldOut: { rows: 7, accuracy: 6 / 7, auc: 11 / 12, threshold: 0.125 },
  rocThresholds: [0.125, -0.25],
  gate: { enforced: true, passed: true, reason: null, outputMin: -0.99, outputMax: 0.98, predictedSpam: 41, predictedHam: 29 },
};

describe('NeuralPage', () => {
  it('says plainly that Redis is not reachable on a 503', async () => {
    fakeApi({ 'GET /neural/rules': () => problem(503, 'neural: Redis at 127.0.0.1:6390 is not reachable (connect ECONNREFUSED)') });
    render(<NeuralPage />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Redis is not reachable.');
    expect(alert.textContent).toContain('ECONNREFUSED');
  });

  it('shows counts against max_trains, the versions and who holds the lock', async () => {
    fakeApi({ 'GET /neural/rules': () => json([SET]) });
    render(<NeuralPage />);
    const spam = await screen.findByRole('progressbar', { name: 'Spam vectors of default/default' });
    expect(spam.getAttribute('aria-valuenow')).toBe('6');
    expect(spam.getAttribute('aria-valuemax')).toBe('10');
    expect(screen.getByText('Ham 4 / 10')).toBeTruthy();
    expect(screen.getByText('Training')).toBeTruthy();
    expect(screen.getByText(/Held by scanner-7 for 2\d s/)).toBeTruthy();
    expect(screen.getByText('version 0')).toBeTruthy();
    expect(screen.getByRole('table', { name: 'ANN versions of default/default' })).toBeTruthy();
  });

  it('trains on demand and follows the job to the published version, then reloads the rules', async () => {
    let polls = 0;
    const calls = fakeApi({
      'GET /neural/rules': () => json([{ ...SET, lock: { ...SET.lock, locked: false, held: false, hostname: null } }]),
      'POST /neural/rules/default/settings/default/train': () => json({ jobId: 'j1', state: 'queued' }, 202),
      'GET /neural/jobs/j1': () => {
        polls++;
        if (polls === 1) return json(job({ epoch: 2, history: [{ epoch: 1, trainCost: 0.9, validationCost: 0.8 }, { epoch: 2, trainCost: 0.7, validationCost: 0.6 }] }));
        return json(job({ state: 'succeeded', epoch: 3, publishedVersion: 1, newKey: 'rn_default_default_dddddddd_1', history: [{ epoch: 1, trainCost: 0.9, validationCost: 0.8 }], report: REPORT }));
      },
    });
    render(<NeuralPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Train now' }));
    const progress = await screen.findByRole('progressbar', { name: 'Epochs of job j1' });
    expect(progress.getAttribute('aria-valuemax')).toBe('25');
    expect(await screen.findByText(/Published version 1/, {}, { timeout: 3000 })).toBeTruthy();
    const report = screen.getByRole('region', { name: 'Training report of job j1' });
    expect(report.textContent).toContain('Funnel (rspamd 4.x layers), hidden 32');
    expect(report.textContent).toContain('40 spam / 30 ham; held out 3 spam / 4 ham');
    expect(report.textContent).toContain('85.7 % of 7 rows, output above 0.1250 = spam');
    expect(report.textContent).toContain('0.917');
    expect(report.textContent).toContain('spam 0.1250, ham -0.2500');
    expect(report.textContent).toContain('passed');
    await waitFor(() => expect(calls.filter((c) => c.url.pathname === '/api/v1/neural/rules').length).toBeGreaterThanOrEqual(3));
  });

  it('breaks a lock after confirmation', async () => {
    const calls = fakeApi({
      'GET /neural/rules': () => json([SET]),
      'DELETE /neural/rules/default/settings/default/lock': () => json({ removed: true, keys: ['rn_default_default_dddddddd_0'] }),
    });
    render(<NeuralPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Break lock…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Break the lock of default/default?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Break lock' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
  });

  it('shows why a training was refused (423: someone else holds the lock)', async () => {
    fakeApi({
      'GET /neural/rules': () => json([SET]),
      'POST /neural/rules/default/settings/default/train': () => json({ title: 'Locked', status: 423, detail: 'rule default settings default is being trained by scanner-7' }, 423),
    });
    render(<NeuralPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Train now' }));
    expect((await screen.findByRole('alert')).textContent).toContain('is being trained by scanner-7');
  });
});
