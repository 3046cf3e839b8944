/**
 * How an error is described in a log line. Messages, stacks' first lines and causes are never
 * logged: drizzle's errors quote the statement and its bound values ("Failed query: … params:
 * …"), D1's may quote values, and crypto or provider errors may quote what they read. What is
 * logged comes from fixed vocabularies: the error's class name, a code, and stack locations.
 */

export interface SafeError {
  /** The error's class name (`DrizzleQueryError`, `CryptoError`), or the type of a non-error. */
  error: string;
  /** A code from a fixed set: our own errors' `code`, or the SQLite result code of a D1 failure. */
  code?: string;
  /** The class name of what the error wraps, when it wraps one (a driver error inside drizzle's). */
  cause?: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
// Result codes and D1's prefixes are fixed words; whatever surrounds them in a message is not logged.
const SQLITE_CODE = /\bSQLITE_[A-Z_]{2,40}\b/;
const D1_CODE = /^D1_[A-Z_]{2,40}\b/;

function nameOf(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  // drizzle's DrizzleQueryError keeps the name `Error`; its class says more.
  const name = err.name === 'Error' && err.constructor.name !== 'Error' ? err.constructor.name : err.name;
  return NAME.test(name) ? name : 'Error';
}

function causeOf(err: unknown): unknown {
  return err instanceof Error ? err.cause : undefined;
}

/** A code that says what failed without quoting anything: read from the error, then from what it wraps. */
function codeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = causeOf(e), depth++) {
    const own = (e as { code?: unknown }).code;
    if (typeof own === 'string' && CODE.test(own)) return own;
    const sqlite = SQLITE_CODE.exec(e.message)?.[0] ?? D1_CODE.exec(e.message)?.[0];
    if (sqlite) return sqlite;
  }
  return undefined;
}

/** The error as a log line may hold it: names and a code, never its message, stack or cause. */
export function safeError(err: unknown): SafeError {
  const described: SafeError = { error: nameOf(err) };
  const code = codeOf(err);
  if (code) described.code = code;
  const cause = causeOf(err);
  if (cause !== undefined) described.cause = nameOf(cause);
  return described;
}

// A V8 stack location: `at fn (file:line:col)` or `at file:line:col`; anything else is dropped.
const FRAME = /^at (?:(?:async )?[\w$.<>[\] ]{1,120} \()?[\w$./:@-]{1,200}:\d+:\d+\)?$/;

/**
 * Where the error was thrown: the stack's location lines, only when the stack starts with the
 * error's own header (so a message spanning lines cannot pass for locations), each checked.
 */
export function stackFrames(err: unknown, max = 5): string[] {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return [];
  const header = String(err);
  if (!err.stack.startsWith(header)) return [];
  return err.stack
    .slice(header.length)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => FRAME.test(line))
    .slice(0, max);
}

/** Logs an unexpected failure of a request, as one JSON line keyed by its request id. */
export function logError(requestId: string, err: unknown, context: string): void {
  console.error(JSON.stringify({ level: 'error', msg: context, request_id: requestId, ...safeError(err), at: stackFrames(err) }));
}
