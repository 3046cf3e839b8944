import type { Hono } from 'hono';
import { findTargetHandler } from 'hono/utils/handler';
import { z } from 'zod';
import { DOC, type DocMeta, type RouteDoc } from './validate';

type JsonSchema = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  route?: RouteDoc;
  inputs: Extract<DocMeta, { kind: 'input' }>[];
  /** The OAuth scope the route declares, if it declares one. */
  scope?: string;
}

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ location: z.enum(['body', 'query', 'path', 'header']), field: z.string(), message: z.string() })).optional(),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'Error' });

/** Collects every documented operation from the routes Hono actually registered. */
function collectOperations(app: Pick<Hono, 'routes'>): Operation[] {
  const byKey = new Map<string, Operation>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    // A sub-app with its own onError (the page layer) wraps each handler; look through it.
    const meta = (findTargetHandler(r.handler) as { [DOC]?: DocMeta })[DOC];
    if (!meta) continue;
    const key = `${r.method} ${r.path}`;
    const op = byKey.get(key) ?? { method: r.method.toLowerCase(), path: r.path, inputs: [] };
    if (meta.kind === 'route') op.route = meta.route;
    else if (meta.kind === 'scope') op.scope = meta.scope;
    else op.inputs.push(meta);
    byKey.set(key, op);
  }
  return [...byKey.values()].filter((op) => op.route);
}

function toOpenApiPath(path: string): string {
  return path.replace(/\/$/, '').replace(/:([A-Za-z_]+)/g, '{$1}') || '/';
}

/**
 * Builds the OpenAPI 3.1 document from the zod schemas the routes validate with, so the
 * document and the behaviour have one source. Named schemas (`.meta({ id })`) become components.
 * Each organization operation says in `x-oauth-scope` which scope an access token needs: the one
 * its route declares, or `fullAccessScope` (which satisfies every scope) where it declares none.
 */
export function buildOpenApiDocument(app: Pick<Hono, 'routes'>, serverUrl: string, oauthScopes: Record<string, string>, fullAccessScope: string) {
  const components: Record<string, JsonSchema> = {};

  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
    // Named schemas land in $defs; OpenAPI wants them as shared components.
    const json = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    for (const [id, def] of Object.entries(json.$defs ?? {})) components[id] ??= def;
    const { $schema: _s, $defs: _d, ...rest } = json;
    return rest;
  };

  const errorRef = convert(errorSchema, 'output');
  const paths: Record<string, Record<string, unknown>> = {};

  for (const op of collectOperations(app)) {
    const route = op.route!;
    const parameters: unknown[] = [];
    let requestBody: unknown;
    for (const input of op.inputs) {
      if (input.target === 'json') {
        requestBody = { required: true, content: { 'application/json': { schema: convert(input.schema, 'input') } } };
        continue;
      }
      const json = convert(input.schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      const where = input.target === 'param' ? 'path' : 'query';
      for (const [name, schema] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema,
        });
      }
    }
    const responses: Record<string, unknown> = {
      [String(route.status)]: route.response
        ? { description: route.summary, content: { 'application/json': { schema: convert(route.response, 'output') } } }
        : { description: route.summary },
    };
    for (const status of errorStatuses(route, op)) {
      responses[status] = { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: errorRef } } };
    }
    const path = toOpenApiPath(op.path);
    paths[path] ??= {};
    paths[path][op.method] = {
      operationId: operationId(op),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      security: securityFor(route.auth),
      ...(route.auth === 'organization' ? { 'x-oauth-scope': op.scope ?? fullAccessScope } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Edgelink management API',
      version: '1.0.0',
      description: 'Connect links, connections with always-fresh tokens, and OAuth applications.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An organization API key (elk_sk_…).' },
        operatorToken: { type: 'http', scheme: 'bearer', description: "The deployment's ADMIN_TOKEN." },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-elk_session',
          description: 'A signed-in user (from /login), acting with their role; `Edgelink-Organization` names the organization when they have several.',
        },
        oauth2: {
          type: 'oauth2',
          description: `An access token (elk_at_…) from Edgelink's own authorization server. Each operation's x-oauth-scope names the scope it needs; ${fullAccessScope} satisfies every one.`,
          flows: {
            authorizationCode: {
              authorizationUrl: `${serverUrl.replace(/\/+$/, '')}/oauth/authorize`,
              tokenUrl: `${serverUrl.replace(/\/+$/, '')}/oauth/token`,
              refreshUrl: `${serverUrl.replace(/\/+$/, '')}/oauth/token`,
              scopes: oauthScopes,
            },
            clientCredentials: {
              tokenUrl: `${serverUrl.replace(/\/+$/, '')}/oauth/token`,
              scopes: oauthScopes,
            },
          },
        },
      },
    },
  };
}

/** Who may call: organization routes take any organization credential. */
function securityFor(auth: RouteDoc['auth']) {
  if (auth === 'public') return [];
  if (auth === 'operator') return [{ operatorToken: [] }];
  return [{ apiKey: [] }, { session: [] }, { oauth2: [] }];
}

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid request (validation_failed, malformed_json)',
  '401': 'Missing or invalid credentials',
  '403': 'The credentials may not do this',
  '404': 'No such resource in this organization',
  '413': 'Body too large',
  '415': 'Body is not JSON',
};

function errorStatuses(route: RouteDoc, op: Operation): string[] {
  const statuses = ['400'];
  if (route.auth !== 'public') statuses.push('401', '403');
  if (op.inputs.some((i) => i.target === 'param')) statuses.push('404');
  if (op.inputs.some((i) => i.target === 'json')) statuses.push('413', '415');
  return statuses;
}

function operationId(op: Operation): string {
  const words = op.path
    .replace(/^\/api\/v1\//, '')
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by_${part.slice(1)}` : part));
  return [op.method, ...words].join('_');
}
