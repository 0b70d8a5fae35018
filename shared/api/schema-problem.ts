import type { TSchema } from 'typebox';
import type { TValidationError } from 'typebox/error';
import { Value } from 'typebox/value';

/**
 * Turns TypeBox's validation errors into the one problem fuzzyd reports: the field at fault, in the API's own
 * notation (`flags[1].flag`, `body` for the whole payload), and a message that says what the field must be and what
 * it got (`must be an integer in 0..255 (got 300)`). Server, CLI and dashboard report schema failures through this,
 * so a mistake reads the same wherever it is caught.
 */
export interface SchemaProblem {
  field: string;
  message: string;
}

type Node = Record<string, unknown>;

/**
 * A short, safe rendering of a bad value: strings quoted (long ones only measured, control characters escaped, as
 * the message reaches logs and the dashboard), containers named.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `'${escapeControls(value)}'`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const escapeControls = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The first problem of `value` against `schema`, or null when it conforms. `root` names the whole value. */
export function schemaProblem(schema: TSchema, value: unknown, root = 'body'): SchemaProblem | null {
  return Value.Check(schema, value) ? null : problemOf(schema, value, Value.Errors(schema, value), root);
}

/**
 * The problem to report among `errors` (from Value.Errors or a compiled validator): the shallowest field, an unknown
 * field before the others of its object, otherwise in schema order; that is the order the checks read the payload.
 */
export function problemOf(schema: TSchema, value: unknown, errors: readonly TValidationError[], root = 'body'): SchemaProblem {
  const candidates = errors
    .filter((e) => reported(schema, value, e))
    .map((error, index) => ({ error, index, path: pathOf(error) }))
    .sort((a, b) => a.path.length - b.path.length || rank(a.error) - rank(b.error) || a.index - b.index);
  const chosen = candidates[0] ?? { error: errors[0], path: pathOf(errors[0]) };
  return { field: fieldName(schema, chosen.path, root), message: messageOf(schema, chosen.error, chosen.path, value) };
}

const rank = (e: TValidationError): number => (e.keyword === 'additionalProperties' ? 0 : 1);

/**
 * Which errors speak for the value. `T | null` with a non-null value fails as T would, so T's errors (however deep)
 * are kept and the union's and null's are not; any other union (constants, a shingle's string-or-number) is reported
 * as a whole, by its own error.
 */
function reported(schema: TSchema, value: unknown, e: TValidationError): boolean {
  if (e.keyword === 'boolean') return false;
  if (e.keyword === 'anyOf') return !(realBranch(resolvePointer(schema, e.schemaPath)) && valueAt(value, pathOf(e)) !== null);
  const branch = /^(.*)\/anyOf\/(\d+)(?:\/.*)?$/.exec(e.schemaPath);
  if (!branch) return true;
  const union = resolvePointer(schema, branch[1]);
  const real = realBranch(union);
  return real !== undefined && real === (union?.anyOf as Node[])[Number(branch[2])];
}

/** The T of a `T | null` union, else undefined. */
function realBranch(node: Node | undefined): Node | undefined {
  const branches = node?.anyOf as Node[] | undefined;
  if (!branches || branches.length !== 2) return undefined;
  const real = branches.filter((b) => b.type !== 'null');
  return real.length === 1 ? real[0] : undefined;
}

const unwrap = (node: Node | undefined): Node | undefined => realBranch(node) ?? node;

function resolvePointer(schema: TSchema, pointer: string): Node | undefined {
  const segments = pointer.replace(/^#\/?/, '').split('/').filter(Boolean).map(unescapePointer);
  return segments.reduce<Node | undefined>((node, segment) => (node?.[segment] as Node | undefined), schema as Node);
}

/** The path of the field at fault: for a missing or unknown property, the property itself. */
function pathOf(e: TValidationError): string[] {
  const path = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map(unescapePointer);
  if (e.keyword === 'required') return [...path, (e.params as { requiredProperties: string[] }).requiredProperties[0]];
  if (e.keyword === 'additionalProperties') return [...path, (e.params as { additionalProperties: string[] }).additionalProperties[0]];
  return path;
}

const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** `flags`, `[1]`, `flag` → `flags[1].flag`; the whole value is `root`. */
function fieldName(schema: TSchema, path: readonly string[], root: string): string {
  let name = '';
  let node: Node | undefined = schema as Node;
  for (const segment of path) {
    const inArray: boolean = unwrap(node)?.type === 'array';
    name = inArray ? `${name}[${segment}]` : name ? `${name}.${segment}` : segment;
    node = childOf(node, segment);
  }
  return name || root;
}

function childOf(parent: Node | undefined, segment: string): Node | undefined {
  const node = unwrap(parent);
  if (!node) return undefined;
  if (node.type === 'array') return node.items as Node;
  return (node.properties as Record<string, Node> | undefined)?.[segment];
}

function nodeAt(schema: TSchema, path: readonly string[]): Node | undefined {
  return path.reduce<Node | undefined>((node, segment) => childOf(node, segment), schema as Node);
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, segment) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[segment] : undefined), value);
}

function messageOf(schema: TSchema, error: TValidationError, path: string[], root: unknown): string {
  if (error.keyword === 'additionalProperties') {
    const parent = unwrap(nodeAt(schema, path.slice(0, -1)));
    return `unknown field (expected ${Object.keys((parent?.properties as object) ?? {}).join(', ')})`;
  }
  const node = nodeAt(schema, path) ?? {};
  const value = valueAt(root, path);
  const keyword = error.keyword === 'required' ? 'type' : error.keyword;
  const real = realBranch(node);
  if (real) {
    const message = nodeMessage(real, keyword, value);
    return keyword === 'type' ? message.replace(/^must be (.*?) \(got/, 'must be $1 or null (got') : message;
  }
  if (node.anyOf) return unionMessage(node, value);
  return nodeMessage(node, keyword, value);
}

/** A union of constants lists them; any other union (not `T | null`) carries its own `x-error`. */
function unionMessage(node: Node, value: unknown): string {
  if (typeof node['x-error'] === 'string') return `${node['x-error']} (got ${describe(value)})`;
  const branches = node.anyOf as Node[];
  if (branches.every((b) => 'const' in b)) return `must be one of ${branches.map((b) => describe(b.const)).join(', ')} (got ${describe(value)})`;
  return `is not valid (got ${describe(value)})`;
}

function nodeMessage(node: Node, keyword: string, value: unknown): string {
  const got = describe(value);
  if (typeof node['x-error'] === 'string') return `${node['x-error']} (got ${Array.isArray(value) ? `${value.length} items` : got})`;
  if ('enum' in node) return `must be one of ${(node.enum as unknown[]).map(describe).join(', ')} (got ${got})`;
  switch (node.type) {
    case 'integer':
      return `must be an integer${rangeOf(node)} (got ${got})`;
    case 'number':
      return `must be a finite number${rangeOf(node)} (got ${got})`;
    case 'boolean':
      return `must be true or false (got ${got})`;
    case 'object':
      return `must be a JSON object (got ${got})`;
    case 'array':
      if (keyword === 'minItems') return `must have at least ${node.minItems} items (got ${(value as unknown[]).length})`;
      if (keyword === 'maxItems') return `must have at most ${node.maxItems} items (got ${(value as unknown[]).length})`;
      return `must be an array (got ${got})`;
    case 'string':
      if (keyword === 'minLength') return node.minLength === 1 ? 'must not be empty' : `must be at least ${node.minLength} characters`;
      if (keyword === 'maxLength') return `must be at most ${node.maxLength} characters (got ${(value as string).length})`;
      if (keyword === 'pattern') return `${(node['x-pattern-error'] as string | undefined) ?? `must match ${node.pattern}`}`;
      return `must be a string (got ${got})`;
    default:
      return `is not valid (got ${got})`;
  }
}

function rangeOf(node: Node): string {
  const min = node.minimum as number | undefined;
  const max = node.maximum as number | undefined;
  if (min !== undefined && max !== undefined) return ` in ${min}..${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}
