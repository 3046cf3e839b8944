import { OfferingError } from './errors';
import type { OfferingFields, OfferingInputField } from './fields';

export const MAX_INPUT_VALUE_LENGTH = 253;

/**
 * Whatever an input's own pattern says, a value is one host-or-label-like token: letters,
 * digits, `.`, `-`, `_`. So no value can carry `/`, `?`, `#`, `@`, `:`, `%` or `\` into a
 * URL and move its host, path or query, even under a careless custom pattern.
 */
const safeValuePattern = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

const compiled = new Map<string, RegExp>();

/** The input's pattern, anchored again as a whole so `^a|b$` cannot match `evil-b`. */
function patternOf(input: Pick<OfferingInputField, 'pattern'>): RegExp {
  let regex = compiled.get(input.pattern);
  if (regex === undefined) {
    regex = new RegExp(`^(?:${input.pattern})$`);
    compiled.set(input.pattern, regex);
  }
  return regex;
}

/** Why `value` is not acceptable for this input, or null when it is. */
export function inputValueProblem(input: Pick<OfferingInputField, 'label' | 'pattern'>, value: string): string | null {
  if (value.length === 0) return `${input.label} is required`;
  if (value.length > MAX_INPUT_VALUE_LENGTH) {
    return `${input.label} must be at most ${MAX_INPUT_VALUE_LENGTH} characters`;
  }
  if (!safeValuePattern.test(value) || value.includes('..')) {
    return `${input.label} may contain only letters, digits, ".", "-" and "_"`;
  }
  if (!patternOf(input).test(value)) return `${input.label} does not have the expected form`;
  return null;
}

/**
 * The value of every input the offering declares: the given one, else its default. Throws an
 * {@link OfferingError} for a missing or invalid value, or for a value the offering does not
 * declare (a typo in a key would otherwise be silently replaced by the default).
 */
export function resolveInputValues(offering: Pick<OfferingFields, 'inputs'>, given: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const declared = new Set(offering.inputs.map((input) => input.key));
  for (const key of Object.keys(given)) {
    if (!declared.has(key) && given[key] !== undefined) {
      throw new OfferingError('unknown_input', `"${key}" is not an input of this offering`, key);
    }
  }
  const values: Record<string, string> = {};
  for (const input of offering.inputs) {
    // A blank field means "use the default" (an optional My Domain left empty, for example).
    const raw = given[input.key];
    const value = raw === undefined || raw === '' ? input.default : raw;
    if (value === undefined || value === '') {
      throw new OfferingError('missing_input', `${input.label} is required`, input.key);
    }
    const problem = inputValueProblem(input, value);
    if (problem !== null) throw new OfferingError('invalid_input', problem, input.key);
    values[input.key] = value;
  }
  return values;
}
