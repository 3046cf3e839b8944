import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** One entry per bad field: where it was (body, query, path), which field, what is wrong. */
export interface ErrorDetail {
  location: 'body' | 'query' | 'path' | 'header';
  field: string;
  message: string;
}

/**
 * The one error a route or service throws for anything a caller caused. The app's error
 * handler renders it as `{ error: { code, message, details, request_id } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id?: string) => new ApiError(404, 'not_found', id ? `No ${what} with id '${id}'.` : `No such ${what}.`);

export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });

export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);

export const conflict = (message: string) => new ApiError(409, 'conflict', message);

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[]; request_id: string };
}

export function errorBody(err: ApiError, requestId: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details?.length ? { details: err.details } : {}),
      request_id: requestId,
    },
  };
}
