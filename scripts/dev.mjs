// `npm run dev`: local secrets, local D1 migrations, `wrangler dev`, then a demo organization
// and API key seeded through the public API, and a banner with everything needed to call it.
//
// Plain Node ESM with node: built-ins only, so it runs right after `npm install`.
// Secrets live in `.dev.vars` (git-ignored); what was seeded lives in `.wrangler/` (git-ignored)
// so a second run reuses it instead of piling up demo organizations.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const PORT = 8787;
const BASE_URL = `http://${HOST}:${PORT}`;
const D1_BINDING = 'DB';
const DEV_VARS = join(ROOT, '.dev.vars');
const STATE_FILE = join(ROOT, '.wrangler', 'edgelink-demo.json');
const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const MIN_NODE = [22, 12]; // package.json "engines"; wrangler itself needs 22+

const log = (msg) => console.log(`[dev] ${msg}`);

class DevError extends Error {}

// ---------------------------------------------------------------------------------------------
// Local secrets

/** Generators for every variable `.dev.vars` must hold; values are never logged by this script. */
const DEV_VAR_GENERATORS = {
  ADMIN_TOKEN: () => `elk_admin_${randomBytes(32).toString('base64url')}`,
  // `kid:base64url(32 bytes)`, comma-separated, first is active (see src/lib/crypto.ts).
  ENCRYPTION_KEYS: () => `k1:${randomBytes(32).toString('base64url')}`,
};

/** The dotenv subset wrangler reads for `.dev.vars`: KEY=value, optional quotes, # comments. */
function parseDotenv(text) {
  const vars = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2];
    const quoted = /^(['"`])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    vars[m[1]] = value;
  }
  return vars;
}

/** Creates `.dev.vars` or fills in variables that are missing or empty; keeps everything else. */
function ensureDevVars() {
  const existed = existsSync(DEV_VARS);
  const original = existed ? readFileSync(DEV_VARS, 'utf8') : '';
  const present = parseDotenv(original);
  const added = [];
  const lines = original === '' ? [] : original.replace(/\r?\n$/, '').split(/\r?\n/);

  for (const [name, generate] of Object.entries(DEV_VAR_GENERATORS)) {
    if (present[name]) continue;
    const entry = `${name}=${generate()}`;
    // An empty `NAME=` line is replaced in place rather than shadowed by a second one.
    const emptyLine = lines.findIndex((l) => new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`).test(l));
    if (emptyLine >= 0) lines[emptyLine] = entry;
    else lines.push(entry);
    added.push(name);
  }

  if (added.length > 0) {
    if (!existed) lines.unshift('# Local secrets for `wrangler dev`, written by `npm run dev`. Git-ignored; never commit.');
    writeFileSync(DEV_VARS, `${lines.join('\n')}\n`, { mode: 0o600 });
    log(`${existed ? 'Added' : 'Created .dev.vars with'} ${added.join(', ')}${existed ? ' to .dev.vars' : ''}.`);
  } else {
    log('Using existing .dev.vars.');
  }

  const vars = parseDotenv(readFileSync(DEV_VARS, 'utf8'));
  const entries = vars.ENCRYPTION_KEYS.split(',').map((e) => e.trim());
  if (!entries.every((e) => /^[A-Za-z0-9_-]{1,16}:[A-Za-z0-9_-]{43}$/.test(e))) {
    // Name the problem, never the value.
    log('Warning: ENCRYPTION_KEYS in .dev.vars is not a comma-separated list of kid:base64url(32 bytes).');
  }
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Wrangler

const require = createRequire(import.meta.url);

/** Wrangler's JS entry point, run with this same Node (the project's node@22 under npm). */
function wranglerEntry() {
  try {
    const pkgPath = require.resolve('wrangler/package.json', { paths: [ROOT] });
    const { bin } = JSON.parse(readFileSync(pkgPath, 'utf8'));
    return join(dirname(pkgPath), typeof bin === 'string' ? bin : bin.wrangler);
  } catch {
    throw new DevError('wrangler is not installed. Run `npm install` first.');
  }
}

let child = null;

/**
 * stdin is ignored on purpose: wrangler then treats the session as non-interactive, so
 * `d1 migrations apply` takes its "yes" fallback instead of prompting even in a terminal.
 */
function runWrangler(args, { stdin = 'ignore' } = {}) {
  const proc = spawn(process.execPath, [wranglerEntry(), ...args], {
    cwd: ROOT,
    stdio: [stdin, 'inherit', 'inherit'],
    env: process.env,
  });
  child = proc;
  const exited = new Promise((resolve) => {
    proc.on('error', (err) => resolve({ code: 1, signal: null, error: err }));
    proc.on('exit', (code, signal) => {
      if (child === proc) child = null;
      resolve({ code, signal });
    });
  });
  return { proc, exited };
}

function exitCodeOf({ code, signal }) {
  if (code !== null) return code;
  const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
  return 128 + (signals[signal] ?? 1);
}

async function applyMigrations() {
  log(`Applying local D1 migrations (binding ${D1_BINDING})...`);
  const result = await runWrangler(['d1', 'migrations', 'apply', D1_BINDING, '--local']).exited;
  if (stopping) process.exit(exitCodeOf(result));
  if (result.code !== 0) {
    throw new DevError(`\`wrangler d1 migrations apply ${D1_BINDING} --local\` failed (${result.error?.message ?? `exit ${exitCodeOf(result)}`}).`);
  }
}

/** Fails early if something already listens on the port: /health would answer for it, not us. */
function assertPortFree() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err) => {
      reject(
        new DevError(
          err.code === 'EADDRINUSE'
            ? `${HOST}:${PORT} is already in use (another \`npm run dev\` or \`wrangler dev\`?). Stop it and retry.`
            : `Cannot listen on ${HOST}:${PORT}: ${err.message}`,
        ),
      );
    });
    server.listen(PORT, HOST, () => server.close(() => resolve()));
  });
}

// ---------------------------------------------------------------------------------------------
// Signals: forward to the wrangler child, exit when it exits.

let stopping = false;
let failed = false;

/** Asks the running wrangler child to stop (once), killing it if it lingers. */
function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (!child) return;
  const proc = child;
  proc.kill(signal);
  setTimeout(() => {
    if (proc.exitCode === null && proc.signalCode === null) {
      console.error(`[dev] wrangler did not stop within ${STOP_GRACE_MS / 1000}s; killing it and workerd.`);
      // SIGKILL gives wrangler no chance to stop workerd, so kill its whole subtree.
      for (const pid of [proc.pid, ...descendantsOf(proc.pid)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  }, STOP_GRACE_MS).unref();
}

/** Pids below `root` (wrangler re-spawns itself, then starts workerd); empty if `ps` is missing. */
function descendantsOf(root) {
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (ps.status !== 0) return [];
  const children = new Map();
  for (const line of ps.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift()) ?? []) {
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
}

function onSignal(signal) {
  // Ctrl-C also reaches wrangler straight from the terminal; forwarding once is enough.
  if (stopping) return;
  if (!child) process.exit(exitCodeOf({ code: null, signal }));
  stop(signal);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));
// A closed terminal or pipe must not crash us before wrangler has been stopped.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

// `npm run dev` runs this script under `sh -c`; a SIGTERM sent to npm kills npm and that shell
// without reaching us, which would leave wrangler and workerd serving with no owner. Being
// re-parented means whoever started us is gone: stop as if we had been sent SIGTERM.
const startedBy = process.ppid;
setInterval(() => {
  if (process.ppid !== startedBy && !stopping) {
    console.error('[dev] The parent process (npm) exited; stopping wrangler dev.');
    onSignal('SIGTERM');
  }
}, 500).unref();

// ---------------------------------------------------------------------------------------------
// HTTP against the local Worker

/** If wrangler exits meanwhile, its exit handler ends this process; no need to watch for it. */
async function waitForHealth() {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(`${BASE_URL}/health`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      lastProblem = `HTTP ${res.status}`;
    } catch (err) {
      lastProblem = err.cause?.code ?? err.name ?? String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new DevError(
    `${BASE_URL}/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000}s (last: ${lastProblem}). ` +
      'Check the wrangler output above for build or runtime errors.',
  );
}

/** One call to the management API; returns status and parsed JSON (or null). */
async function api(method, path, { token, body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Left null: callers report the status.
  }
  return { status: res.status, json };
}

function unexpected(what, res) {
  // Error bodies follow DESIGN.md "Shapes" and carry no secrets; success bodies might.
  const detail = res.status >= 400 && res.json ? ` ${JSON.stringify(res.json)}` : '';
  return new DevError(`${what}: unexpected HTTP ${res.status}.${detail}`);
}

// ---------------------------------------------------------------------------------------------
// Demo data, seeded through the API and remembered in .wrangler/edgelink-demo.json.
//
// Each step receives the saved state and returns it updated: it reuses what it finds still
// valid in the local database and creates only what is missing. Add later steps (an
// integration, a link) to SEED_STEPS; a step that recreates something clears what depends on it.

const DEMO_ORG_NAME = 'Demo organization';
const DEMO_KEY_NAME = 'Demo key';

function loadState() {
  try {
    const state = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
    return state && typeof state === 'object' ? state : {};
  } catch {
    return {};
  }
}

function saveState(state) {
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  const tmp = `${STATE_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, STATE_FILE);
}

async function seedOrganization(state, { adminToken }) {
  const saved = state.organization;
  if (saved?.id) {
    const res = await api('GET', `/api/v1/admin/organizations/${encodeURIComponent(saved.id)}`, { token: adminToken });
    if (res.status === 200) return { state, reused: true };
    if (res.status !== 404) throw unexpected('Checking the saved demo organization', res);
  }
  const res = await api('POST', '/api/v1/admin/organizations', { token: adminToken, body: { name: DEMO_ORG_NAME } });
  if (res.status !== 201 || !res.json?.id) throw unexpected('Creating the demo organization', res);
  // A new organization invalidates everything seeded inside the old one.
  return { state: { organization: { id: res.json.id, name: res.json.name } }, reused: false };
}

async function seedApiKey(state, { adminToken }) {
  const orgId = state.organization.id;
  const saved = state.api_key;
  if (saved?.secret && saved.organization_id === orgId) {
    const res = await api('GET', '/api/v1/api_keys', { token: saved.secret });
    if (res.status === 200) return { state, reused: true };
    if (res.status !== 401) throw unexpected('Checking the saved demo API key', res);
  }
  const res = await api('POST', `/api/v1/admin/organizations/${encodeURIComponent(orgId)}/api_keys`, {
    token: adminToken,
    body: { name: DEMO_KEY_NAME },
  });
  if (res.status !== 201 || !res.json?.secret) throw unexpected('Creating the demo API key', res);
  const { id, prefix, secret } = res.json;
  return { state: { ...state, api_key: { id, organization_id: orgId, prefix, secret } }, reused: false };
}

// Until Edgelink's own OAuth server lands, the demo link connects an API-key service: it needs
// no provider account and no internet, and shows the whole path from link to stored credentials.
const DEMO_OFFERING_ID = 'off_demo_api_key';

async function seedDemoOffering(state, { adminToken }) {
  const res = await api('GET', `/api/v1/offerings/${DEMO_OFFERING_ID}`, { token: adminToken });
  if (res.status === 200) return { state: { ...state, offering_id: DEMO_OFFERING_ID }, reused: true };
  if (res.status !== 404) throw unexpected('Checking the demo offering', res);
  const created = await api('POST', '/api/v1/admin/offerings', {
    token: adminToken,
    body: {
      id: DEMO_OFFERING_ID,
      name: 'Demo service (API key)',
      provider: 'demo',
      description: 'A local stand-in: any key is accepted, nothing is called.',
      auth_mode: 'api_key',
      credentials: [{ key: 'api_key', label: 'API key', secret: true }],
    },
  });
  if (created.status !== 201) throw unexpected('Creating the demo offering', created);
  return { state: { ...state, offering_id: DEMO_OFFERING_ID }, reused: false };
}

async function seedIntegration(state) {
  const token = state.api_key.secret;
  const saved = state.integration;
  if (saved?.id) {
    const res = await api('GET', `/api/v1/integrations/${encodeURIComponent(saved.id)}`, { token });
    if (res.status === 200) return { state, reused: true };
    if (res.status !== 404) throw unexpected('Checking the demo integration', res);
  }
  const res = await api('POST', '/api/v1/integrations', { token, body: { name: 'Demo service', offering_id: state.offering_id } });
  if (res.status !== 201) throw unexpected('Creating the demo integration', res);
  return { state: { ...state, integration: { id: res.json.id } }, reused: false };
}

async function seedLink(state) {
  const token = state.api_key.secret;
  const saved = state.link;
  if (saved?.id) {
    const res = await api('GET', `/api/v1/links/${encodeURIComponent(saved.id)}`, { token });
    if (res.status === 200 && res.json.status === 'active') return { state: { ...state, link: { id: saved.id, url: res.json.url } }, reused: true };
    if (res.status !== 200 && res.status !== 404) throw unexpected('Checking the demo link', res);
  }
  const res = await api('POST', '/api/v1/links', {
    token,
    body: { name: 'Demo link', end_user: { id: 'demo-user', email: 'demo@example.com', display_name: 'Demo user' } },
  });
  if (res.status !== 201) throw unexpected('Creating the demo link', res);
  return { state: { ...state, link: { id: res.json.id, url: res.json.url } }, reused: false };
}

// Edgelink connecting to itself: a user who can sign in, an OAuth application of the demo
// organization, and an integration on the built-in `off_edgelink` offering that uses it.
const DEMO_USER_EMAIL = 'demo@example.com';

async function seedDemoUser(state, { adminToken }) {
  const orgId = state.organization.id;
  if (state.user?.organization_id === orgId) return { state, reused: true };
  const password = randomBytes(12).toString('base64url');
  const res = await api('POST', `/api/v1/admin/organizations/${encodeURIComponent(orgId)}/users`, {
    token: adminToken,
    body: { email: DEMO_USER_EMAIL, name: 'Demo user', role: 'owner', password },
  });
  // 409: the user is already a member (an earlier run's state file was lost); its password is unknown.
  if (res.status !== 201 && res.status !== 409) throw unexpected('Creating the demo user', res);
  return { state: { ...state, user: { organization_id: orgId, email: DEMO_USER_EMAIL, password: res.status === 201 ? password : null } }, reused: false };
}

async function seedSelfApplication(state) {
  const token = state.api_key.secret;
  const saved = state.application;
  if (saved?.id) {
    const res = await api('GET', `/api/v1/applications/${encodeURIComponent(saved.id)}`, { token });
    if (res.status === 200) return { state, reused: true };
    if (res.status !== 404) throw unexpected('Checking the demo OAuth application', res);
  }
  const res = await api('POST', '/api/v1/applications', {
    token,
    body: {
      name: 'Edgelink (this deployment)',
      description: 'Lets the demo link connect Edgelink to itself.',
      redirect_uris: [`${BASE_URL}/api/v1/oauth/callback`],
    },
  });
  if (res.status !== 201) throw unexpected('Creating the demo OAuth application', res);
  const { id, client_id, client_secret } = res.json;
  // A new application needs a new integration.
  const { self_integration: _old, ...rest } = state;
  return { state: { ...rest, application: { id, client_id, client_secret } }, reused: false };
}

async function seedSelfIntegration(state) {
  const token = state.api_key.secret;
  const saved = state.self_integration;
  if (saved?.id) {
    const res = await api('GET', `/api/v1/integrations/${encodeURIComponent(saved.id)}`, { token });
    if (res.status === 200) return { state, reused: true };
    if (res.status !== 404) throw unexpected('Checking the Edgelink integration', res);
  }
  const res = await api('POST', '/api/v1/integrations', {
    token,
    body: {
      name: 'Edgelink',
      offering_id: 'off_edgelink',
      client_id: state.application.client_id,
      client_secret: state.application.client_secret,
      scopes: ['all.full_access', 'offline_access'],
    },
  });
  if (res.status !== 201) throw unexpected('Creating the Edgelink integration', res);
  return { state: { ...state, self_integration: { id: res.json.id, status: res.json.status } }, reused: false };
}

/** The demo user's id in the demo organization, from the operator's member list (an earlier run may not have saved it). */
async function demoUserId(state, adminToken) {
  const orgId = encodeURIComponent(state.organization.id);
  let cursor = null;
  do {
    const res = await api('GET', `/api/v1/admin/organizations/${orgId}/users?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      token: adminToken,
    });
    if (res.status !== 200) throw unexpected("Listing the demo organization's members", res);
    const found = res.json.data.find((m) => m.email === state.user.email);
    if (found) return found.user_id;
    cursor = res.json.next_cursor;
  } while (cursor);
  throw new DevError(`The demo user ${state.user.email} is not a member of the demo organization.`);
}

// The demo user may open /console/admin. Sent on every run (setting it twice changes nothing), so a
// database where someone took it away gets it back, through the same API an operator would use.
async function seedPlatformAdmin(state, { adminToken }) {
  const userId = await demoUserId(state, adminToken);
  const res = await api('PATCH', `/api/v1/admin/users/${encodeURIComponent(userId)}`, { token: adminToken, body: { is_platform_admin: true } });
  if (res.status !== 200) throw unexpected('Making the demo user a platform admin', res);
  return { state: { ...state, user: { ...state.user, id: userId } }, reused: state.user.id === userId };
}

const SEED_STEPS = [
  ['demo organization', seedOrganization],
  ['demo API key', seedApiKey],
  ['demo user', seedDemoUser],
  ["demo user's platform admin role", seedPlatformAdmin],
  ['demo offering', seedDemoOffering],
  ['demo integration', seedIntegration],
  ['demo OAuth application', seedSelfApplication],
  ['Edgelink integration', seedSelfIntegration],
  ['demo link', seedLink],
];

async function seed(ctx) {
  let state = loadState();
  for (const [label, step] of SEED_STEPS) {
    const result = await step(state, ctx);
    state = result.state;
    saveState(state);
    log(`${result.reused ? 'Reusing' : 'Created'} ${label}.`);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------

function printBanner({ adminToken, state }) {
  const key = state.api_key.secret;
  const rows = [
    ['URL', BASE_URL],
    ['Console', `${BASE_URL}/console  (sign in with the demo sign-in below)`],
    ['Operator console', `${BASE_URL}/console/admin  (the demo user is a platform admin: publish requests, organizations and users)`],
    ['Admin token', adminToken],
    ['Demo organization', `${state.organization.id} (${state.organization.name})`],
    ['Demo API key', key],
    ['Demo sign-in', state.user.password ? `${state.user.email} / ${state.user.password}` : `${state.user.email} (password set earlier)`],
    ['Demo connect link', state.link.url],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    'Edgelink is running locally (local D1 and KV; Ctrl-C stops it).',
    '',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    'Try it:',
    `  open ${BASE_URL}/console , sign in, then OAuth → Integrations → Add Integration`,
    `  curl -H "Authorization: Bearer ${key}" ${BASE_URL}/api/v1/api_keys`,
    `  open ${state.link.url} , connect "Edgelink" (sign in as the demo user, Allow) or the demo service, then:`,
    `  curl -H "Authorization: Bearer ${key}" "${BASE_URL}/api/v1/connections?end_user_id=demo-user"`,
    '',
    `Secrets: ${relative(ROOT, DEV_VARS)} (git-ignored). Seeded data: ${relative(ROOT, STATE_FILE)}.`,
  ];
  const rule = '='.repeat(Math.max(...lines.map((l) => l.length)));
  console.log(['', rule, ...lines, rule, ''].join('\n'));
}

async function main() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    throw new DevError(
      `Node ${process.versions.node} is too old. Use \`npm run dev\` (it runs the project's own Node 22) or install Node ${MIN_NODE.join('.')}+.`,
    );
  }

  const vars = ensureDevVars();
  await assertPortFree();
  await applyMigrations();

  log(`Starting wrangler dev on ${BASE_URL}...`);
  // stdin inherited here so wrangler's hotkeys keep working in a terminal.
  const dev = runWrangler(['dev', '--ip', HOST, '--port', String(PORT)], { stdin: 'inherit' });
  let phase = 'starting';
  dev.exited.then((result) => {
    if (result.error) console.error(`[dev] Could not start wrangler: ${result.error.message}`);
    else if (!stopping && phase !== 'ready') {
      console.error(`[dev] wrangler dev exited (${exitCodeOf(result)}) while ${phase}; see its output above.`);
      failed = true;
    }
    process.exit(failed ? 1 : exitCodeOf(result));
  });

  try {
    await waitForHealth();
    if (stopping) return;
    phase = 'seeding demo data';
    const ctx = { adminToken: vars.ADMIN_TOKEN };
    const state = await seed(ctx);
    if (stopping) return;
    phase = 'ready';
    printBanner({ adminToken: ctx.adminToken, state });
  } catch (err) {
    if (stopping) return;
    console.error(`[dev] ${err instanceof DevError ? err.message : (err.stack ?? err)}`);
    console.error('[dev] Stopping wrangler dev.');
    failed = true;
    stop('SIGTERM'); // exits through dev.exited above
  }
}

// Reached only before wrangler dev starts (secrets, migrations, port check).
main().catch((err) => {
  console.error(`[dev] ${err instanceof DevError ? err.message : (err.stack ?? err)}`);
  process.exit(1);
});
