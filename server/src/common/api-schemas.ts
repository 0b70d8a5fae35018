import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { TObject, TSchema } from 'typebox';
import * as api from '../../../shared/api/api-types.js';
import * as neural from '../../../shared/api/neural.js';

/**
 * The shared/api schemas as OpenAPI components, named as their types are. Routes point at them with schemaRef, and
 * swagger.ts puts them into the document, so /docs describes exactly what the routes check and answer.
 */
export const API_SCHEMAS: Readonly<Record<string, TSchema>> = Object.fromEntries(
  Object.entries<unknown>({ ...api, ...neural }).filter((entry): entry is [string, TSchema] => isSchema(entry[1])),
);

function isSchema(value: unknown): value is TSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && ('type' in value || 'anyOf' in value);
}

const NAMES = new Map(Object.entries(API_SCHEMAS).map(([name, schema]) => [schema, name]));

/** `{ $ref }` to the component of a shared/api schema; a schema not exported from shared/api is a mistake caught at start. */
export function schemaRef(schema: TSchema): { $ref: string } {
  const name = NAMES.get(schema);
  if (!name) throw new Error('schemaRef: the schema is not exported from shared/api');
  return { $ref: `#/components/schemas/${name}` };
}

/** An array of a shared/api schema, by reference. */
export const listOf = (schema: TSchema): { type: 'array'; items: { $ref: string } } => ({ type: 'array', items: schemaRef(schema) });

/** A shared/api field schema as plain JSON, for a path parameter's `schema`. */
export const plainSchema = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

/** The components as plain JSON (TypeBox keeps its own markers in non-enumerable properties). */
export const apiComponents = (): Record<string, object> => JSON.parse(JSON.stringify(API_SCHEMAS)) as Record<string, object>;

/** One documented query parameter per property of a query schema, with the property's own schema and description. */
export function ApiQueries(schema: TObject): MethodDecorator {
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  const properties = JSON.parse(JSON.stringify(schema.properties)) as Record<string, { description?: string }>;
  return applyDecorators(
    ...Object.entries(properties).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), description: property.description, schema: property as object }),
    ),
  );
}
