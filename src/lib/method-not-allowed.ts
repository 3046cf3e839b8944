import type { Hono } from 'hono';

interface RoutePattern {
  method: string;
  regex: RegExp;
}

function compile(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * Hono answers an unregistered method with 404; a client deserves 405 and the methods the
 * path does accept. Built once from the app's own routes, so it cannot drift from them.
 */
export function allowedMethods(app: Pick<Hono, 'routes'>): (path: string) => string[] {
  let patterns: RoutePattern[] | undefined;
  return (path) => {
    patterns ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ method: r.method, regex: compile(r.path) }));
    return [...new Set(patterns.filter((p) => p.regex.test(path)).map((p) => p.method))];
  };
}
