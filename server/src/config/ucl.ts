/**
 * The part of libucl's syntax that rspamd's own configuration and map files use, so fuzzyd reads them as rspamd
 * does: a `worker-fuzzy.inc` body as its config file, a `dynamic_keys_map` file as rspamd's tests ship it.
 *
 * - The top level is an object without braces (`key = value;` pairs), or one `{…}` / `[…]`.
 * - `key = value`, `key: value` and `key { … }` (no separator before a brace); keys bare or quoted.
 * - A key given twice collects its values into an array, as libucl's implicit arrays: two `keypair { … }` blocks
 *   become `keypair: [{…}, {…}]`. `key "name" { … }` is the named-section form, `key: { name: {…} }`.
 * - Values: "double-quoted" (JSON escapes), 'single-quoted' (only \' and \\ escaped), numbers, true/false/yes/no/
 *   on/off, null, and bare words up to the next separator (`60s`, `localhost`), kept as strings: the settings'
 *   parsers decide what `60s` or `1k` mean, as they do for the same text in an environment variable.
 * - Separators `;` `,` or a line end; comments `#` and `//` to the end of the line, `/* … *\/` nested.
 *
 * Not supported (refused with the line and column): macros (`.include`), variables (`${DBDIR}`), heredocs.
 */
export type UclValue = string | number | boolean | null | UclValue[] | { [key: string]: UclValue };

export class UclError extends Error {
  override readonly name = 'UclError';
}

const BOOLEANS: Record<string, boolean> = { true: true, yes: true, on: true, false: false, no: false, off: false };
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BARE_END = /[\s;,{}[\]=:#"']/;

export function parseUcl(text: string): UclValue {
  return new UclParser(text).document();
}

class UclParser {
  private at = 0;

  constructor(private readonly text: string) {}

  document(): UclValue {
    this.skipSpace();
    let value: UclValue;
    if (this.peek() === '[') value = this.array();
    else if (this.peek() === '{') value = this.object('{');
    else value = this.members(null);
    this.skipSpace();
    if (this.at < this.text.length) this.fail(`unexpected '${this.peek()}'`);
    return value;
  }

  /** Key-value pairs up to `close` (or the end of the text for the top level). */
  private members(close: '}' | null): { [key: string]: UclValue } {
    const out: { [key: string]: UclValue } = {};
    const seen = new Set<string>();
    for (;;) {
      this.skipSpace();
      if (close === null ? this.at >= this.text.length : this.peek() === close) return out;
      if (this.at >= this.text.length) this.fail(`missing '${close}'`);
      if (this.peek() === '.') this.fail('macros (.include, .priority, …) are not supported');
      const key = this.key();
      this.skipSpace();
      let value: UclValue;
      if (this.peek() === '=' || this.peek() === ':') {
        this.at++;
        this.skipSpace();
        value = this.value();
      } else if (this.peek() === '{') {
        value = this.object('{');
      } else {
        // `key value` without a separator, or `worker "fuzzy" { … }`: a named section.
        value = this.value();
        this.skipInlineSpace();
        if (this.peek() === '{' && typeof value !== 'object') value = { [String(value)]: this.object('{') };
      }
      if (seen.has(key)) {
        const existing = out[key];
        out[key] = Array.isArray(existing) && this.implicit.has(existing) ? [...existing, value] : [existing, value];
        this.implicit.add(out[key] as UclValue[]);
      } else {
        out[key] = value;
        seen.add(key);
      }
      this.separator();
    }
  }

  /** Arrays made by repeating a key, so a third repetition extends them instead of nesting. */
  private readonly implicit = new WeakSet<UclValue[]>();

  private value(): UclValue {
    const c = this.peek();
    if (c === '{') return this.object('{');
    if (c === '[') return this.array();
    if (c === '"') return this.doubleQuoted();
    if (c === "'") return this.singleQuoted();
    if (c === '$') this.fail('variables (${…}) are not supported');
    if (c === '<' && this.text.startsWith('<<', this.at)) this.fail('heredocs are not supported');
    const word = this.bareWord();
    if (word === '') this.fail(c === undefined ? 'a value is missing at the end' : `unexpected '${c}'`);
    const lower = word.toLowerCase();
    if (lower in BOOLEANS) return BOOLEANS[lower];
    if (lower === 'null') return null;
    if (NUMBER.test(word)) return Number(word);
    return word;
  }

  private object(open: '{'): { [key: string]: UclValue } {
    this.expect(open);
    const out = this.members('}');
    this.expect('}');
    return out;
  }

  private array(): UclValue[] {
    this.expect('[');
    const out: UclValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === ']') {
        this.at++;
        return out;
      }
      if (this.at >= this.text.length) this.fail("missing ']'");
      out.push(this.value());
      this.separator();
    }
  }

  private key(): string {
    const c = this.peek();
    if (c === '"') return this.doubleQuoted();
    if (c === "'") return this.singleQuoted();
    const word = this.bareWord();
    if (word === '') this.fail(c === undefined ? 'a key is missing at the end' : `unexpected '${c}' where a key was expected`);
    return word;
  }

  private bareWord(): string {
    const start = this.at;
    while (this.at < this.text.length && !BARE_END.test(this.text[this.at])) {
      if (this.text.startsWith('//', this.at) || this.text.startsWith('/*', this.at)) break;
      this.at++;
    }
    return this.text.slice(start, this.at);
  }

  private doubleQuoted(): string {
    const start = this.at;
    this.at++;
    while (this.at < this.text.length && this.text[this.at] !== '"') {
      if (this.text[this.at] === '\\') this.at++;
      if (this.text[this.at] === '\n') this.fail('a line end inside a quoted string');
      this.at++;
    }
    if (this.at >= this.text.length) this.fail('a quoted string is not closed', start);
    this.at++;
    try {
      return JSON.parse(this.text.slice(start, this.at)) as string;
    } catch {
      this.fail('a bad escape in a quoted string', start);
    }
  }

  private singleQuoted(): string {
    const start = this.at;
    this.at++;
    let out = '';
    while (this.at < this.text.length && this.text[this.at] !== "'") {
      if (this.text[this.at] === '\\' && (this.text[this.at + 1] === "'" || this.text[this.at + 1] === '\\')) this.at++;
      out += this.text[this.at++];
    }
    if (this.at >= this.text.length) this.fail('a quoted string is not closed', start);
    this.at++;
    return out;
  }

  /** After a member or element: `;` or `,` (optional before a closing bracket or a line end). */
  private separator(): void {
    this.skipInlineSpace();
    this.skipComment();
    const c = this.peek();
    if (c === ';' || c === ',') this.at++;
    else if (c !== undefined && c !== '\n' && c !== '\r' && c !== '}' && c !== ']') this.fail(`expected ';', ',' or a line end, not '${c}'`);
  }

  private skipInlineSpace(): void {
    while (this.at < this.text.length && (this.text[this.at] === ' ' || this.text[this.at] === '\t')) this.at++;
  }

  private skipSpace(): void {
    for (;;) {
      while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at++;
      if (!this.skipComment()) return;
    }
  }

  private skipComment(): boolean {
    if (this.peek() === '#' || this.text.startsWith('//', this.at)) {
      while (this.at < this.text.length && this.text[this.at] !== '\n') this.at++;
      return true;
    }
    if (!this.text.startsWith('/*', this.at)) return false;
    const start = this.at;
    let depth = 0;
    while (this.at < this.text.length) {
      if (this.text.startsWith('/*', this.at)) {
        depth++;
        this.at += 2;
      } else if (this.text.startsWith('*/', this.at)) {
        depth--;
        this.at += 2;
        if (depth === 0) return true;
      } else {
        this.at++;
      }
    }
    this.fail('a comment is not closed', start);
  }

  private peek(): string {
    return this.text[this.at];
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.at++;
  }

  private fail(message: string, at = this.at): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new UclError(`line ${line}, column ${column}: ${message}`);
  }
}
