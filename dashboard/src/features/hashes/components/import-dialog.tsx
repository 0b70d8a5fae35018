import { type FormEvent, useId, useRef, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { ProgressBar } from '../../../components/ui/progress-bar';
import type { ImportResult } from '../../../lib/api-types';
import { formatBytes, formatInt } from '../../../lib/format';
import { type ImportMode, type ImportProgress, importJsonl } from '../api/import-hashes';

const REJECT_COLUMNS: DataTableColumn[] = [{ header: 'Line', className: 'num' }, { header: 'Error' }];

export interface ImportDialogProps {
  open: boolean;
  onClose: () => void;
  /** Called after a run (complete or not) so the list can refresh. */
  onImported: () => void;
  /** Replaces the real upload in tests. */
  importer?: typeof importJsonl;
}

/** JSON Lines import with a progress bar that follows the lines the server has stored. */
export function ImportDialog({ open, onClose, onImported, importer = importJsonl }: ImportDialogProps) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>('add');
  const [fileError, setFileError] = useState<string | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const formId = useId();

  const reset = (): void => {
    setFile(null);
    setProgress(null);
    setResult(null);
    setError(null);
    setFileError(null);
  };
  const close = (): void => {
    abort.current?.abort();
    reset();
    onClose();
  };

  const start = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!file) {
      setFileError('Choose a .jsonl file');
      return;
    }
    setFileError(null);
    setError(null);
    setResult(null);
    setRunning(true);
    const controller = new AbortController();
    abort.current = controller;
    try {
      const done = await importer(file, { mode, signal: controller.signal, onProgress: setProgress });
      setResult(done);
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err as Error);
    } finally {
      setRunning(false);
      abort.current = null;
      onImported();
    }
  };

  const shown = result ?? progress?.result ?? null;
  return (
    <Dialog
      open={open}
      title="Import hashes"
      onClose={close}
      className="dialog-wide"
      actions={
        running ? (
          <Button onClick={() => abort.current?.abort()}>Stop</Button>
        ) : (
          <>
            <Button onClick={close}>{result ? 'Close' : 'Cancel'}</Button>
            <Button type="submit" form={formId} variant="primary">
              {result ? 'Import another file' : 'Import'}
            </Button>
          </>
        )
      }
    >
      <form id={formId} onSubmit={start} noValidate className="form-grid">
        <Field label="JSON Lines file" error={fileError} hint='One {"digest","flag","value","shingles"?} object per line, as written by Export' className="span-2">
          <input
            type="file"
            accept=".jsonl,.ndjson,application/x-ndjson,text/plain"
            disabled={running}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setResult(null);
              setProgress(null);
            }}
            data-autofocus=""
          />
        </Field>
        <Field label="Mode" hint="Add: each line is a WRITE (values add up). Replace: set flag and value as given.">
          <select value={mode} onChange={(e) => setMode(e.target.value as ImportMode)} disabled={running}>
            <option value="add">Add</option>
            <option value="replace">Replace</option>
          </select>
        </Field>
      </form>
      {progress && (
        <div className="import-progress" aria-live="polite">
          <ProgressBar
            label="Import progress"
            value={progress.bytesDone}
            max={Math.max(1, progress.bytesTotal)}
            text={`${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)} · ${formatInt(progress.result.lines)} lines`}
          />
        </div>
      )}
      {shown && (
        <dl className="inline-stats" aria-live="polite">
          <div>
            <dt>Added</dt>
            <dd>{formatInt(shown.added)}</dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>{formatInt(shown.updated)}</dd>
          </div>
          <div>
            <dt>Rejected</dt>
            <dd>{formatInt(shown.rejected)}</dd>
          </div>
        </dl>
      )}
      {result && <p role="status">{result.rejected === 0 ? 'Import finished.' : 'Import finished with rejected lines.'}</p>}
      {shown && shown.rejects.length > 0 && (
        <details className="rejects" open={!running}>
          <summary>Rejected lines{shown.rejects.length < shown.rejected ? ` (first ${shown.rejects.length})` : ''}</summary>
          <DataTable columns={REJECT_COLUMNS} rows={shown.rejects.slice(0, 200)} className="table-compact" scrollClassName="rejects-scroll">
            {(r) => (
              <tr key={r.line}>
                <td className="num">{r.line}</td>
                <td>{r.error}</td>
              </tr>
            )}
          </DataTable>
        </details>
      )}
      <ErrorMessage error={error} context={progress && progress.bytesDone > 0 ? `Import stopped after ${formatBytes(progress.bytesDone)}` : 'Import failed'} />
    </Dialog>
  );
}
