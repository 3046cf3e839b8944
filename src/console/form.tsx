import type { Child } from 'hono/jsx';
import type { ErrorDetail } from '../lib/errors';

/** A form's problems: each names the field (by its element id) and says what is wrong, in the API's words. */
export interface FieldProblem {
  /** The id of the element the summary links to. */
  target: string;
  /** The field's visible label, so the summary reads on its own. */
  label: string;
  message: string;
}

export type Problems = FieldProblem[];

/** The element id of an API field (`inputs.my_domain` → `field-inputs-my_domain`). */
export const fieldId = (apiField: string) => `field-${apiField.replaceAll(/[^A-Za-z0-9_-]/g, '-')}`;

/**
 * The API's error details as form problems. `fields` maps an API field (or its first segment,
 * for `scopes.2`) to the id and label of the element that holds it; others go to `fallback`.
 */
export function problemsFrom(
  details: readonly ErrorDetail[],
  fields: Record<string, { target: string; label: string }>,
  fallback: { target: string; label: string },
): Problems {
  return details.map((d) => {
    const field = d.field ?? '';
    const known = fields[field] ?? fields[field.split('.')[0] ?? ''] ?? fallback;
    return { ...known, message: d.message };
  });
}

export const problemFor = (problems: Problems, target: string) => problems.filter((p) => p.target === target).map((p) => p.message);

/** The summary at the top of a form that did not go through: each problem links to its field. */
export function ErrorSummary({ problems }: { problems: Problems }) {
  if (problems.length === 0) return null;
  return (
    <div class="notice error" role="alert" aria-labelledby="error-summary-title" tabindex={-1} id="error-summary">
      <h2 id="error-summary-title">There {problems.length === 1 ? 'is a problem' : `are ${problems.length} problems`}</h2>
      <ul>
        {problems.map((p) => (
          <li>
            <a href={`#${p.target}`}>
              {p.label}: {p.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface TextFieldProps {
  id: string;
  name: string;
  label: string;
  hint?: string;
  value?: string | null;
  problems?: Problems;
  type?: 'text' | 'email' | 'url' | 'password' | 'number' | 'datetime-local';
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
}

interface FieldFrameProps {
  id: string;
  label: string;
  hint?: string;
  errors: string[];
  /** Marks the label "(optional)"; a select always has a value, so it says nothing. */
  optional: boolean;
  children: Child;
}

/** What is around every field's control: its label, hint and errors. */
function FieldFrame({ id, label, hint, errors, optional, children }: FieldFrameProps) {
  return (
    <div>
      <label for={id}>
        {label}
        {optional ? <span class="muted"> (optional)</span> : null}
      </label>
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {errors.length > 0 ? (
        <p class="field-error" id={`${id}-error`}>
          {errors.join(' ')}
        </p>
      ) : null}
      {children}
    </div>
  );
}

/** The control's errors and the attributes that tie its hint and errors to it. */
function fieldState(id: string, hint: string | undefined, problems: Problems) {
  const errors = problemFor(problems, id);
  const describedBy = [hint ? `${id}-hint` : null, errors.length > 0 ? `${id}-error` : null].filter(Boolean).join(' ');
  return { errors, aria: { 'aria-describedby': describedBy || undefined, 'aria-invalid': errors.length > 0 ? ('true' as const) : undefined } };
}

/** A labelled input with its hint and its errors tied to it (aria-describedby). */
export function TextField({ id, name, label, hint, value, problems = [], type = 'text', required, autocomplete, placeholder }: TextFieldProps) {
  const { errors, aria } = fieldState(id, hint, problems);
  return (
    <FieldFrame id={id} label={label} hint={hint} errors={errors} optional={!required}>
      <input
        type={type}
        id={id}
        name={name}
        value={type === 'password' ? undefined : (value ?? undefined)}
        required={required}
        autocomplete={autocomplete ?? 'off'}
        placeholder={placeholder}
        {...aria}
      />
    </FieldFrame>
  );
}

/** A value the user copies somewhere else (a callback URL, a client id): shown, with a copy button for scripts. */
export function CopyValue({ id, label, value, children }: { id: string; label: string; value: string; children?: Child }) {
  return (
    <div>
      <p class="label" id={`${id}-label`}>
        <strong>{label}</strong>
      </p>
      {children}
      <div class="copy">
        <code id={id}>{value}</code>
        <button type="button" class="secondary" data-copy={id} hidden>
          <span>Copy</span>
          <span class="vh"> {label}</span>
        </button>
      </div>
    </div>
  );
}

/** Form values as the console reads them: strings, and every value of a repeated field. */
export type FormValues = Record<string, string | string[]>;

export const formString = (form: FormValues, name: string): string => {
  const value = form[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
};

export const formList = (form: FormValues, name: string): string[] => {
  const value = form[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => v.trim()).filter((v) => v !== '');
};

/** An optional field: empty means not given. */
export const optionalString = (form: FormValues, name: string): string | undefined => formString(form, name) || undefined;

/** A labelled textarea with its hint and its errors tied to it, as {@link TextField}. */
export function TextAreaField({
  id,
  name,
  label,
  hint,
  value,
  problems = [],
  rows = 4,
  required,
}: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  value?: string;
  problems?: Problems;
  rows?: number;
  required?: boolean;
}) {
  const { errors, aria } = fieldState(id, hint, problems);
  return (
    <FieldFrame id={id} label={label} hint={hint} errors={errors} optional={!required}>
      <textarea id={id} name={name} rows={rows} {...aria}>
        {value ?? ''}
      </textarea>
    </FieldFrame>
  );
}

/** A labelled select with its hint and errors tied to it, as {@link TextField}. */
export function SelectField({
  id,
  name,
  label,
  hint,
  options,
  value,
  problems,
}: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  /** `[value, text]` pairs. */
  options: [string, string][];
  value: string;
  problems: Problems;
}) {
  const { errors, aria } = fieldState(id, hint, problems);
  return (
    <FieldFrame id={id} label={label} hint={hint} errors={errors} optional={false}>
      <select id={id} name={name} {...aria}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
