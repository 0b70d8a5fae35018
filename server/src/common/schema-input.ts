import { Injectable, type PipeTransform } from '@nestjs/common';
import type { Static, TSchema } from 'typebox';
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

/** `@Body(new SchemaPipe(HashCreate)) body: HashCreate`. */
@Injectable()
export class SchemaPipe<T extends TSchema> implements PipeTransform<unknown, Static<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): Static<T> {
    return checkPayload(this.schema, value);
  }
}
