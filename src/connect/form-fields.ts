import type { OfferingDefinition } from '../offerings/definition';

export interface FormField {
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
  hint?: string;
  placeholder?: string;
}

/** The fields the end user fills for this offering: its end-user inputs, then (API keys) its credentials. */
export function connectFields(offering: OfferingDefinition): FormField[] {
  const inputs = offering.inputs
    .filter((i) => i.source === 'end_user')
    .map(
      (i): FormField => ({
        key: i.key,
        label: i.label,
        secret: false,
        required: i.default === undefined,
        hint: i.default === undefined ? `For example: ${i.example}` : `Leave empty to use ${i.default}.`,
        placeholder: i.default ?? i.example,
      }),
    );
  if (offering.auth_mode === 'oauth2') return inputs;
  return [...inputs, ...offering.credentials.map((c): FormField => ({ key: c.key, label: c.label, secret: c.secret, required: true }))];
}

export function endUserInputKeys(offering: OfferingDefinition): string[] {
  return offering.inputs.filter((i) => i.source === 'end_user').map((i) => i.key);
}

/** The end-user inputs without a default: a flow cannot start until the end user gives them. */
export function requiredEndUserInputKeys(offering: OfferingDefinition): string[] {
  return offering.inputs.filter((i) => i.source === 'end_user' && i.default === undefined).map((i) => i.key);
}

/** Only the keys the offering takes from the end user: an integration's own inputs (Okta domain) are never overridable. */
export function pickFields(form: Readonly<Record<string, string>>, keys: readonly string[], trim = true): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = form[key];
    if (value !== undefined) out[key] = trim ? value.trim() : value;
  }
  return out;
}
