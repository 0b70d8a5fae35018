// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImportResult } from '../../../lib/api-types';
import type { ImportOptions } from '../api/import-hashes';
import { ImportDialog } from './import-dialog';

afterEach(cleanup);

describe('ImportDialog', () => {
  it('moves the progress bar as chunks are answered and ends with the totals and the rejected lines', async () => {
    let advance: (() => void) | null = null;
    const importer = vi.fn(async (file: Blob, options: ImportOptions): Promise<ImportResult> => {
      const partial = { added: 2, updated: 0, rejected: 0, rejects: [], lines: 2 };
      options.onProgress?.({ bytesDone: 0, bytesTotal: file.size, result: { ...partial, added: 0, lines: 0 } });
      await new Promise<void>((resolve) => (advance = resolve));
      options.onProgress?.({ bytesDone: file.size / 2, bytesTotal: file.size, result: partial });
      await new Promise<void>((resolve) => (advance = resolve));
      const done = { added: 3, updated: 1, rejected: 1, rejects: [{ line: 5, error: 'digest: must be 128 hex characters' }], lines: 5 };
      options.onProgress?.({ bytesDone: file.size, bytesTotal: file.size, result: done });
      return done;
    });
    const onImported = vi.fn();
    render(<ImportDialog open onClose={() => {}} onImported={onImported} importer={importer} />);

    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText('Choose a .jsonl file')).toBeTruthy();

    const file = new File(['x'.repeat(2048)], 'hashes.jsonl', { type: 'application/x-ndjson' });
    fireEvent.change(screen.getByLabelText('JSON Lines file'), { target: { files: [file] } });
    fireEvent.change(screen.getByLabelText('Mode'), { target: { value: 'replace' } });
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));

    const bar = await screen.findByRole('progressbar', { name: 'Import progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    expect(importer.mock.calls[0][1].mode).toBe('replace');

    advance!();
    await vi.waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('1024'));
    expect(screen.getByText(/1\.0 KiB of 2\.0 KiB · 2 lines/)).toBeTruthy();

    advance!();
    expect(await screen.findByText('Import finished with rejected lines.')).toBeTruthy();
    expect(bar.getAttribute('aria-valuenow')).toBe('2048');
    expect(screen.getByText('digest: must be 128 hex characters')).toBeTruthy();
    expect(onImported).toHaveBeenCalledTimes(1);
  });
});
