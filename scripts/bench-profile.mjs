// A V8 CPU profile of the Worker while the bench loads one route (BENCH_PROFILE=<route key>):
// taken through workerd's inspector, written as a .cpuprofile (open it in Chrome DevTools'
// Performance panel), and summarised here as self time per function and per source module,
// and as total time (with callees) of our own functions.
// The bundle is esbuild's, unminified: its `// node_modules/…` and `// src/…` comments say
// which module each line came from.

import { readFileSync, writeFileSync } from 'node:fs';

/** The inspector's first target (the Worker), as a DevTools-protocol session. */
export async function inspect(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const n = ++id;
      pending.set(n, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Line number (1-based) → the module esbuild says the line belongs to. */
function moduleMap(bundlePath) {
  const lines = readFileSync(bundlePath, 'utf8').split('\n');
  const starts = [];
  lines.forEach((line, i) => {
    const m = /^\/\/ ((?:node_modules|src|bench|\.\.)\/\S+)$/.exec(line);
    if (m) starts.push({ line: i + 1, module: m[1] });
  });
  return (lineNumber) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid].line <= lineNumber) {
        found = starts[mid].module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Groups a module path into what a reader thinks in: a package, or our own folder. */
function area(module) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module);
  if (pkg) return pkg[1];
  const own = /^(src\/[^/]+|bench)/.exec(module);
  return own ? own[1] : module;
}

const IDLE = ['(idle)', '(program)', '(garbage collector)'];

function whereOf(frame, moduleOf) {
  return frame.url?.endsWith('.js') ? moduleOf(frame.lineNumber + 1) : frame.url || '(native)';
}

function functionKey(frame, moduleOf) {
  const idle = IDLE.includes(frame.functionName);
  return `${frame.functionName || '(anonymous)'}  ${idle ? '' : `${whereOf(frame, moduleOf)}:${frame.lineNumber + 1}`}`;
}

/** Runs `load` under the profiler and prints where the Worker's own time went. */
export async function profileWhile(port, bundlePath, outPath, load) {
  const session = await inspect(port);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 50 });
  await session.send('Profiler.start');
  const result = await load();
  const { profile } = await session.send('Profiler.stop');
  session.close();
  writeFileSync(outPath, JSON.stringify(profile));

  const moduleOf = moduleMap(bundlePath);
  const dt = new Map();
  profile.samples.forEach((node, i) => {
    dt.set(node, (dt.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  const byFunction = new Map();
  const byArea = new Map();
  for (const node of profile.nodes) {
    const us = dt.get(node.id) ?? 0;
    if (!us) continue;
    const f = node.callFrame;
    const idle = IDLE.includes(f.functionName);
    const where = whereOf(f, moduleOf);
    const fnKey = functionKey(f, moduleOf);
    byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + us);
    const a = idle ? f.functionName : area(where);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    if (f.functionName !== '(idle)') total += us;
  }
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = new Map(profile.nodes.map((node) => [node.id, functionKey(node.callFrame, moduleOf)]));
  const inclusive = new Map();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) seen.add(keyOf.get(n));
    for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  });
  const requests = result.total;
  const per = (us) => `${(us / requests).toFixed(1).padStart(7)} µs/req`;
  console.log(`\nCPU profile (${outPath}): ${(total / 1000).toFixed(0)} ms sampled outside idle over ${requests} requests = ${per(total).trim()}`);
  console.log('\nself time by area:');
  for (const [a, us] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 20)) console.log(`${per(us)}  ${a}`);
  console.log('\nself time by function (top 30):');
  for (const [fn, us] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, 30)) console.log(`${per(us)}  ${fn}`);
  console.log('\ntotal time (self and callees) of our own functions (top 30):');
  const own = [...inclusive].filter(([fn]) => / (src|bench)\//.test(fn));
  for (const [fn, us] of own.sort((x, y) => y[1] - x[1]).slice(0, 30)) console.log(`${per(us)}  ${fn}`);
  return result;
}
