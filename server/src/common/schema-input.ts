import { Injectable, type PipeTransform } from '@nestjs/common';
import type { Static, TObject, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Validator } from 'typebox/compile';
import { problemOf } from '../../../shared/api/schema-problem.js';
import { ValidationError } from './api-error.js';

/**
 * Request payloads are checked against their shared/api schema here, in the route (after the auth guard, as the
 * hand-written parsers were): a payload that fails gets a 400 naming the field, one that passes has its schema's type.
 * Validators are compiled once per schema; the JSON Lines import runs one per line.
 */
const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema) as Validator;
    validators.set(schema, validator);
  }
  return validator;
}

/** `value` as `schema`'s type, or ValidationError; `root` names the whole value (`body`, or `line` in an import). */
export function checkPayload<T extends TSchema>(schema: T, value: unknown, root = 'body'): Static<T> {
  const validator = validatorOf(schema);
  if (validator.Check(value)) return value as Static<T>;
  const problem = problemOf(schema, value, validator.Errors(value), root);
  throw new ValidationError(problem.field, problem.message);
}

const DECIMAL = /^-?\d{1,16}$/;

/**
 * A query string against its schema. Query values are text, so where the schema wants an integer, plain decimal
 * digits are read as a number first; anything else (`1e2`, `0x1`, ` 1`, a repeated key's array) is left for the
 * schema to refuse, naming the key.
 */
export function checkQuery<T extends TObject>(schema: T, query: Record<string, unknown>): Static<T> {
  const properties = schema.properties as Record<string, { type?: unknown }>;
  const values = Object.fromEntries(
    Object.entries(query).map(([key, value]) => [key, properties[key]?.type === 'integer' && typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value]),
  );
  return checkPayload(schema, values, 'query');
}

/** `@Body(new SchemaPipe(HashCreate)) body: HashCreate`. */
@Injectable()
export class SchemaPipe<T extends TSchema> implements PipeTransform<unknown, Static<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): Static<T> {
    return checkPayload(this.schema, value);
  }
}
