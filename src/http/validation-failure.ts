import type { ErrorObject } from 'ajv';
import type { InvalidProblem, RequestFailure } from '../dialects/dialect.ts';

const PROBLEM_BY_KEYWORD: Record<string, InvalidProblem> = {
  required: 'missing',
  type: 'type',
  format: 'malformed',
  pattern: 'malformed',
  enum: 'malformed',
  const: 'malformed',
  maxLength: 'too-long',
  minLength: 'empty',
  additionalProperties: 'unexpected',
};

/**
 * Names the first thing wrong with a request, as a field and a problem, from the errors
 * openapi-backend's request validation reports (paths like /requestBody/email, /query/email).
 */
export function describeValidationErrors(
  errors: readonly ErrorObject[] | null | undefined,
  fallbackField: string,
): Extract<RequestFailure, { kind: 'invalid' }> {
  const first = errors?.[0];
  if (!first) return { kind: 'invalid', field: fallbackField, problem: 'malformed' };
  const segments = first.instancePath.split('/').filter(Boolean);
  // Drop the location (requestBody, query, …): dialects name fields as their clients do.
  let field = segments.slice(1).join('.');
  if (first.keyword === 'required') {
    const missing = (first.params as { missingProperty?: string }).missingProperty;
    field = missing && missing !== 'requestBody' ? [field, missing].filter(Boolean).join('.') : '';
  }
  if (first.keyword === 'additionalProperties') {
    field = (first.params as { additionalProperty?: string }).additionalProperty ?? field;
  }
  return {
    kind: 'invalid',
    field: field || fallbackField,
    problem: PROBLEM_BY_KEYWORD[first.keyword] ?? 'malformed',
  };
}
