import { api } from '../../../lib/api';
import type { AccessSettingItem, AccessSettingKind, AccessSettingValue } from '../../../lib/api-types';

export function fetchAccessSettings(signal?: AbortSignal): Promise<AccessSettingItem[]> {
  return api.get<AccessSettingItem[]>('/access/settings', { signal });
}

/** Sets one value over the API; the server's parser decides, and its 400 names the setting. */
export function setAccessSetting(name: string, value: unknown): Promise<AccessSettingItem[]> {
  return api.patch<AccessSettingItem[]>('/access/settings', { [name]: value });
}

/** Back to the file/env value. */
export function resetAccessSetting(name: string): Promise<AccessSettingItem> {
  return api.delete<AccessSettingItem>(`/access/settings/${encodeURIComponent(name)}`);
}

const NUMBER = /^\s*-?\d+(\.\d+)?\s*$/;
const asNumber = (text: string): number | string => (NUMBER.test(text) ? Number(text) : text.trim());
const items = (text: string): string[] => text.split(/[\s,]+/).filter((t) => t !== '');

/**
 * What the edit field's text means as the API's JSON. Text the API would refuse is sent as it is, so the server's
 * message (shown inline) is the one authority on what a setting accepts.
 */
export function valueFromText(kind: AccessSettingKind, text: string): unknown {
  const t = text.trim();
  const off = t === '' || t.toLowerCase() === 'off';
  switch (kind) {
    case 'optional-number':
    case 'optional-duration':
      return off ? false : asNumber(t);
    case 'integer':
    case 'duration':
      return asNumber(t);
    case 'boolean':
      return t === 'true';
    case 'flag-ids':
      return items(t).map(asNumber);
    case 'networks':
    case 'key-ids':
      return items(t);
  }
}

/** A value as the edit field starts with it. */
export function textFromValue(kind: AccessSettingKind, value: AccessSettingValue): string {
  if (value === null) return kind.startsWith('optional') ? 'off' : '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** A value as the table shows it. */
export function displayValue(kind: AccessSettingKind, value: AccessSettingValue): string {
  if (value === null) return 'off';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  if (kind === 'duration' || kind === 'optional-duration') return `${value} s`;
  return String(value);
}
