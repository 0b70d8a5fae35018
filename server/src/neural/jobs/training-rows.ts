import { decodeVector } from '../training/vector-codec.js';

export interface DecodedRows {
  rows: number[][];
  /** Members that are not a zstd frame of `;`-separated numbers. */
  invalid: number;
  /** Rows of another width than expected. */
  wrongWidth: number;
}

/**
 * Decodes stored vector members and keeps the usable ones. rspamd turns one bad member into a failed training
 * ("bad input dimension", spec §5.2 and neural-notes §6); dropping and counting them lets the rest still train.
 */
export async function decodeTrainingRows(frames: readonly Buffer[], width: number): Promise<DecodedRows> {
  const out: DecodedRows = { rows: [], invalid: 0, wrongWidth: 0 };
  const decoded = await Promise.all(frames.map((f) => decodeVector(f).catch(() => null)));
  for (const row of decoded) {
    if (row === null) out.invalid++;
    else if (row.length !== width) out.wrongWidth++;
    else out.rows.push(row);
  }
  return out;
}
