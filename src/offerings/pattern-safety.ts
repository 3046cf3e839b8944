/**
 * Input patterns come from operators, and values from end users: a pattern that can match one
 * string in exponentially many ways (`^(a+)+$`) would let a link form stall the Worker. A
 * repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1) may therefore hold no quantifier and no
 * alternation, unless each repetition starts with a separator its body cannot otherwise match
 * (`(?:\.[a-z0-9-]{1,63})+`: every round begins at a ".", so there is one way to split).
 * Together with the length cap on values (inputs.ts) this keeps matching linear.
 */

interface Group {
  start: number;
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

/** Why the pattern could backtrack catastrophically, or null when it cannot. */
export function nestedQuantifierProblem(pattern: string): string | null {
  const stack: Group[] = [{ start: 0, hasQuantifier: false, hasAlternation: false }];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (ch === '\\') {
      i = afterQuantifier(pattern, i + 2, top);
      continue;
    }
    if (ch === '[') {
      i = afterQuantifier(pattern, classEnd(pattern, i), top);
      continue;
    }
    if (ch === '(') {
      let bodyStart = i + 1;
      if (pattern[bodyStart] === '?') {
        const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>)/.exec(pattern.slice(bodyStart));
        bodyStart += m ? m[0].length : 1;
      }
      stack.push({ start: bodyStart, hasQuantifier: false, hasAlternation: false });
      i = bodyStart;
      continue;
    }
    if (ch === ')') {
      if (stack.length === 1) return null; // invalid; the compile check reports it
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      const quantifier = readQuantifier(pattern, i + 1);
      if (quantifier?.repeats && (group.hasQuantifier || group.hasAlternation)) {
        const body = pattern.slice(group.start, i);
        if (group.hasAlternation || !separated(body)) {
          return `must not repeat a group that contains a quantifier or "|" (as in "(a+)+"): matching could take exponential time`;
        }
      }
      parent.hasQuantifier ||= group.hasQuantifier || quantifier !== null;
      parent.hasAlternation ||= group.hasAlternation;
      i = quantifier === null ? i + 1 : quantifier.end;
      continue;
    }
    if (ch === '|') {
      top.hasAlternation = true;
      i += 1;
      continue;
    }
    i = afterQuantifier(pattern, i + 1, top);
  }
  return null;
}

/** Index after a character class starting at `start` (`[`). */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i += 1;
  if (pattern[i] === ']') i += 1;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

function afterQuantifier(pattern: string, i: number, group: Group): number {
  const quantifier = readQuantifier(pattern, i);
  if (quantifier === null) return i;
  group.hasQuantifier = true;
  return quantifier.end;
}

function readQuantifier(pattern: string, i: number): { end: number; repeats: boolean } | null {
  const ch = pattern[i];
  let end: number;
  let repeats: boolean;
  if (ch === '*' || ch === '+') {
    end = i + 1;
    repeats = true;
  } else if (ch === '?') {
    end = i + 1;
    repeats = false;
  } else if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (!m) return null;
    end = i + m[0].length;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    repeats = max > 1;
  } else {
    return null;
  }
  if (pattern[end] === '?') end += 1; // lazy
  return { end, repeats };
}

/**
 * Whether the group body starts with a literal separator that nothing else in the body can
 * match: no wildcard, negated class, class shorthand covering it, or class containing it.
 */
function separated(body: string): boolean {
  let separator: string;
  let rest: string;
  if (body[0] === '\\' && body[1] !== undefined && /[^A-Za-z0-9]/.test(body[1])) {
    separator = body[1];
    rest = body.slice(2);
  } else if (body[0] !== undefined && /[A-Za-z0-9_-]/.test(body[0])) {
    separator = body[0];
    rest = body.slice(1);
  } else {
    return false;
  }
  if (readQuantifier(body, body.length - rest.length) !== null) return false;
  const word = /\w/.test(separator);
  let i = 0;
  while (i < rest.length) {
    const ch = rest[i]!;
    if (ch === '.') return false;
    if (ch === '\\') {
      const next = rest[i + 1] ?? '';
      if (next === separator || /[WSD]/.test(next) || (word && /[wd]/.test(next))) return false;
      i += 2;
      continue;
    }
    if (ch === '[') {
      const end = classEnd(rest, i);
      if (classMayMatch(rest.slice(i + 1, end - 1), separator)) return false;
      i = end;
      continue;
    }
    if (ch === separator) return false;
    i += 1;
  }
  return true;
}

function classMayMatch(inner: string, c: string): boolean {
  if (inner.startsWith('^')) return true;
  for (let i = 0; i < inner.length; i++) {
    let ch = inner[i]!;
    if (ch === '\\') {
      const next = inner[i + 1] ?? '';
      i += 1;
      if (/[wWdDsS]/.test(next)) return true;
      ch = next;
    }
    if (inner[i + 1] === '-' && inner[i + 2] !== undefined && inner[i + 2] !== ']') {
      const to = inner[i + 2] === '\\' ? (inner[i + 3] ?? '') : inner[i + 2]!;
      if (c >= ch && c <= to) return true;
      i += inner[i + 2] === '\\' ? 3 : 2;
      continue;
    }
    if (ch === c) return true;
  }
  return false;
}
