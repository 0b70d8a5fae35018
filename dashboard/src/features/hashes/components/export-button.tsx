import { useState } from 'react';
import { Button } from '../../../components/ui/button';
import { ErrorMessage } from '../../../components/ui/error-message';
import { formatBytes } from '../../../lib/format';
import { type HashFilter, streamExport } from '../api/hashes-api';

interface WritableFile {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}
type SaveFilePicker = (options: { suggestedName: string; types: { description: string; accept: Record<string, string[]> }[] }) => Promise<{
  createWritable(): Promise<WritableFile>;
}>;

function exportName(filter: HashFilter): string {
  return `fuzzyd-hashes${filter.flag !== null ? `-flag${filter.flag}` : ''}${filter.prefix ? `-${filter.prefix}` : ''}.jsonl`;
}

/**
 * Exports the hashes matching the current filter as a .jsonl file. Where the browser can write files (Chromium's
 * save picker) the export streams to disk, so a million hashes never sit in memory; elsewhere it is collected into a
 * Blob and downloaded.
 */
export function ExportButton({ filter }: { filter: HashFilter }) {
  const [bytes, setBytes] = useState<number | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const toDisk = async (picker: SaveFilePicker): Promise<void> => {
    let file: WritableFile;
    try {
      const handle = await picker({ suggestedName: exportName(filter), types: [{ description: 'JSON Lines', accept: { 'application/x-ndjson': ['.jsonl'] } }] });
      file = await handle.createWritable();
    } catch (err) {
      if ((err as Error).name === 'AbortError') return; // the user closed the picker
      throw err;
    }
    setBytes(0);
    try {
      await streamExport(filter, (chunk) => file.write(chunk), setBytes);
      await file.close();
    } catch (err) {
      await file.abort().catch(() => undefined);
      throw err;
    }
  };

  const toBlob = async (): Promise<void> => {
    setBytes(0);
    const parts: Uint8Array<ArrayBuffer>[] = [];
    await streamExport(filter, (chunk) => void parts.push(chunk), setBytes);
    const url = URL.createObjectURL(new Blob(parts, { type: 'application/x-ndjson' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = exportName(filter);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const run = async (): Promise<void> => {
    setError(null);
    const picker = (window as unknown as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker?.bind(window);
    try {
      if (typeof picker === 'function') await toDisk(picker);
      else await toBlob();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBytes(null);
    }
  };

  return (
    <>
      <Button onClick={run} busy={bytes !== null}>
        {bytes !== null ? `Exporting… ${formatBytes(bytes)}` : 'Export'}
      </Button>
      {error && <ErrorMessage error={error} context="Export failed" />}
    </>
  );
}
