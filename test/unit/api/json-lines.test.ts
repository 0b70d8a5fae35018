import { describe, expect, it } from 'vitest';
import { JsonLinesSplitter } from '../../../server/src/hashes/json-lines.js';
import { UpdateWindow } from '../../../server/src/hashes/update-window.js';

function split(chunks: (string | Buffer)[], max = 100): { number: number; text: string; tooLong: boolean }[] {
  const s = new JsonLinesSplitter(max);
  return [...chunks.flatMap((c) => s.push(Buffer.isBuffer(c) ? c : Buffer.from(c))), ...s.end()];
}

describe('JsonLinesSplitter', () => {
  it('numbers lines across chunk boundaries, keeps blank lines in the count, handles a missing final newline', () => {
    expect(split(['a\nb', 'c\n\nd']).map((l) => [l.number, l.text])).toEqual([
      [1, 'a'],
      [2, 'bc'],
      [3, ''],
      [4, 'd'],
    ]);
    expect(split(['x\n'])).toHaveLength(1);
  });

  it('reassembles a multi-byte UTF-8 character cut by a chunk boundary', () => {
    const bytes = Buffer.from('{"c":"é€"}\n');
    const lines = split([bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)]);
    expect(lines[0].text).toBe('{"c":"é€"}');
  });

  it('marks an over-long line and carries on with the next one', () => {
    const lines = split([`${'x'.repeat(60)}`, `${'y'.repeat(60)}\nok\n`, 'z'.repeat(200)], 100);
    expect(lines).toEqual([
      { number: 1, text: '', tooLong: true },
      { number: 2, text: 'ok', tooLong: false },
      { number: 3, text: '', tooLong: true },
    ]);
  });
});

describe('UpdateWindow', () => {
  it('never runs more than its size at once and drains everything', async () => {
    const window = new UpdateWindow(3);
    let running = 0;
    let peak = 0;
    let done = 0;
    for (let i = 0; i < 20; i++) {
      await window.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        done++;
        if (i === 5) throw new Error('a failing task does not stop the others');
      });
    }
    await window.drain();
    expect(peak).toBe(3);
    expect(done).toBe(20);
  });
});
