import { api } from '../../../lib/api';
import type { LookupResult } from '../../../lib/api-types';

/** Sends a raw message (EML) to `POST /lookup`. */
export function lookupMessage(message: Blob | string, signal?: AbortSignal): Promise<LookupResult> {
  return api.request<LookupResult>('POST', '/lookup', { body: message, contentType: 'message/rfc822', signal });
}
