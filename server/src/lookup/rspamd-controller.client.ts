import { ApiError } from '../common/api-error.js';

/** What the controller's scan said about fuzzy hashes: a FUZZY_* symbol and its options. */
export interface FuzzySymbol {
  symbol: string;
  options: string[];
}

export interface ControllerHashes {
  /** Per fuzzy_check rule, the hex digests of the parts it hashes, in part order. */
  rules: Record<string, string[]>;
}

export interface ControllerStorage {
  rule: string;
  flags: Record<string, number>;
}

const TIMEOUT_MS = 15_000;

/**
 * The rspamd controller fuzzyd asks for a message's fuzzy hashes (docs/spec/message-lookup.md): `/plugins/fuzzy/hashes`
 * (rspamd >= 3.6, rules/controller/fuzzy.lua), `/plugins/fuzzy/storages` and `/checkv2`. The password goes in
 * rspamd's `Password` header and is never logged or echoed.
 */
export class RspamdControllerClient {
  constructor(
    readonly url: string,
    private readonly password: string | null,
  ) {}

  /** The fuzzy_check rules and their flags; null when the controller has no such endpoint (rspamd < 3.6). */
  async storages(): Promise<ControllerStorage[] | null> {
    const res = await this.post('/plugins/fuzzy/storages', undefined);
    if (res.status === 404) return null;
    const json = await this.json(res, 'storages');
    const storages = (json.storages ?? {}) as Record<string, { flags?: Record<string, number> }>;
    return Object.entries(storages).map(([rule, s]) => ({ rule, flags: s.flags ?? {} }));
  }

  async hashes(message: Buffer, flag: number): Promise<ControllerHashes> {
    const res = await this.post(`/plugins/fuzzy/hashes?flag=${flag}`, message);
    if (res.status === 404) {
      const text = await res.text();
      // rules/controller/fuzzy.lua answers 404 itself when fuzzy_check is off; an rspamd without the endpoint says so
      // in other words ("plugin not found" or an unknown path).
      if (/fuzzy_check is not enabled/.test(text)) throw new ApiError(502, `the rspamd controller at ${this.url} has fuzzy_check disabled`);
      throw new ApiError(
        502,
        `the rspamd controller at ${this.url} has no /plugins/fuzzy/hashes (rspamd >= 3.6 is needed to compute a message's fuzzy hashes): ${text.slice(0, 200)}`,
      );
    }
    const json = await this.json(res, 'hashes');
    const rules: Record<string, string[]> = {};
    for (const [rule, list] of Object.entries((json.hashes ?? {}) as Record<string, unknown>)) {
      rules[rule] = Array.isArray(list) ? list.map(String).filter((h) => /^[0-9a-f]{128}$/i.test(h)).map((h) => h.toLowerCase()) : [];
    }
    return { rules };
  }

  /** The FUZZY_* symbols of the controller's own scan of the message (it asks its fuzzy storages, as the MTA does). */
  async fuzzySymbols(message: Buffer): Promise<FuzzySymbol[]> {
    const json = await this.json(await this.post('/checkv2', message), 'checkv2');
    const symbols = (json.symbols ?? {}) as Record<string, { options?: unknown[] }>;
    return Object.entries(symbols)
      .filter(([name]) => name.startsWith('FUZZY_'))
      .map(([symbol, s]) => ({ symbol, options: Array.isArray(s.options) ? s.options.map(String) : [] }));
  }

  private async post(path: string, body: Buffer | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.password) headers.Password = this.password;
    try {
      return await fetch(`${this.url}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new ApiError(502, `the rspamd controller at ${this.url} cannot be reached: ${(err as Error).message}`);
    }
  }

  private async json(res: Response, what: string): Promise<Record<string, unknown>> {
    const text = await res.text();
    if (res.status === 403 || res.status === 401) {
      throw new ApiError(502, `the rspamd controller at ${this.url} refused ${what} (${res.status}): set FUZZYD_RSPAMD_CONTROLLER_PASSWORD to its password`);
    }
    if (!res.ok) throw new ApiError(502, `the rspamd controller at ${this.url} answered ${what} with ${res.status}: ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ApiError(502, `the rspamd controller at ${this.url} answered ${what} with something that is not JSON`);
    }
  }
}
