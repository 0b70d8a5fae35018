/** One line of an uploaded JSON Lines body. */
export interface JsonLine {
  /** 1-based. */
  number: number;
  text: string;
  /** The line exceeded the limit; its text was discarded. */
  tooLong: boolean;
}

/**
 * Splits a byte stream into lines as chunks arrive, so an import never holds more than one line (bounded by
 * `maxLineBytes`) beyond the current chunk. Works on bytes, so a UTF-8 character cut by a chunk boundary survives.
 */
export class JsonLinesSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private discarding = false;
  private count = 0;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): JsonLine[] {
    const lines: JsonLine[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) {
        this.keep(chunk.subarray(start));
        return lines;
      }
      this.keep(chunk.subarray(start, newline));
      lines.push(this.finish());
      start = newline + 1;
    }
  }

  /** The last line, when the body does not end with a newline. */
  end(): JsonLine[] {
    return this.partBytes > 0 || this.discarding ? [this.finish()] : [];
  }

  private keep(piece: Buffer): void {
    if (this.discarding || piece.length === 0) return;
    if (this.partBytes + piece.length > this.maxLineBytes) {
      this.discarding = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
  }

  private finish(): JsonLine {
    this.count++;
    const line: JsonLine = this.discarding
      ? { number: this.count, text: '', tooLong: true }
      : { number: this.count, text: Buffer.concat(this.parts, this.partBytes).toString('utf8'), tooLong: false };
    this.parts = [];
    this.partBytes = 0;
    this.discarding = false;
    return line;
  }
}
