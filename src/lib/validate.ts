import { zValidator } from '@hono/zod-validator';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { ApiError, type ErrorDetail } from './errors';

type Target = 'json' | 'query' | 'param' | 'form';

const LOCATION: Record<Target, ErrorDetail['location']> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
};

/** Marks a middleware with what it documents, so the OpenAPI builder can find it on app.routes. */
export const DOC = Symbol.for('edgelink.openapi');

export type DocMeta =
  | { kind: 'input'; target: Target; schema: z.ZodType }
  | { kind: 'route'; route: RouteDoc }
  /** The OAuth scope a route needs, declared by auth's requireScope. */
  | { kind: 'scope'; scope: string };

export interface RouteDoc {
  summary: string;
  tags: string[];
  /** Who may call: the operator's ADMIN_TOKEN, an organization credential, or anyone. */
  auth: 'operator' | 'organization' | 'public';
  status: number;
  response?: z.ZodType;
  description?: string;
}

/** Turns zod issues into one detail per bad field. */
export function issuesToDetails(error: z.core.$ZodError, location: ErrorDetail['location']): ErrorDetail[] {
  return error.issues.flatMap((issue): ErrorDetail[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        location,
        field: base ? `${base}.${key}` : key,
        message: 'is not a known field',
      }));
    }
    return [{ location, field: base || '(root)', message: issue.message }];
  });
}

export function validationError(details: ErrorDetail[]): ApiError {
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  return new ApiError(400, 'validation_failed', `Invalid request: check ${fields}.`, details);
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * The project's one validator: zod through @hono/zod-validator, with every failure thrown
 * as the same ApiError. A JSON body must say it is JSON (415) and parse (400) before the
 * schema sees it, so those cases get their own clear codes.
 */
export function validate<T extends Target, S extends z.ZodType>(target: T, schema: S) {
  const inner = zValidator(target, schema, (result) => {
    if (!result.success) throw validationError(issuesToDetails(result.error, LOCATION[target]));
  });
  const middleware =
    target === 'json'
      ? ((async (c, next) => {
          const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
          if (!JSON_TYPE.test(mediaType)) {
            throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
          }
          const text = await c.req.text();
          try {
            JSON.parse(text);
          } catch {
            throw new ApiError(400, 'malformed_json', 'The request body is not valid JSON.');
          }
          return inner(c, next);
        }) as typeof inner)
      : inner;
  return Object.assign(middleware, { [DOC]: { kind: 'input', target, schema } satisfies DocMeta });
}

/** Documents a route for /openapi.json; does nothing at request time. */
export function describeRoute(route: RouteDoc): MiddlewareHandler {
  const middleware: MiddlewareHandler = async (_c, next) => next();
  return Object.assign(middleware, { [DOC]: { kind: 'route', route } satisfies DocMeta });
}
