import type { AppDeps } from '../deps';
import { randomToken, sha256Hex } from '../lib/crypto';
import { checkEndUserCredentials } from '../provider/credential-check';
import { accountIdFor } from './account-id';
import { OfferingError } from '../offerings/errors';
import { resolveInputValues } from '../offerings/inputs';
import { finishConnection, type FinishedConnection } from './finish-connection';
import { connectFields, endUserInputKeys, pickFields } from './form-fields';
import type { ConnectableTarget } from './link-page-data';
import type { FlowMarker } from './store-connection';

/** The form's hidden field: a random id per rendered form, so a resubmission is known as one. */
export const SUBMISSION_FIELD = 'submission';
const SUBMISSION_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/** A fresh id for a form being rendered; nothing is stored until a submission is saved. */
export const newSubmissionId = () => randomToken(18);

/** The id the form came with, or null when it has none (a page rendered before the field existed). */
export function submissionOf(form: Readonly<Record<string, string>>): string | null {
  const value = form[SUBMISSION_FIELD];
  return value !== undefined && SUBMISSION_PATTERN.test(value) ? value : null;
}

/** The used_states row a submission claims when its connection is stored (see storeFlowConnection). */
export async function submissionMarker(submission: string): Promise<FlowMarker> {
  return { kind: 'form_submission', hash: await sha256Hex(`connect-form/${submission}`) };
}

/** The form goes back to the end user with what to fix; secret values are never echoed. */
export interface FormToFix {
  ok: false;
  reason: 'form_to_fix';
  error: { message: string; field?: string };
  values: Record<string, string>;
  /** The same id again: a resubmission of a save whose reply was lost must be known as one. */
  submission: string;
  status: 400 | 502 | 503;
}

/**
 * The credentials form of an API-key or basic offering: checks the fields, asks the provider
 * whether they work, then finishes the connection like the OAuth callback does.
 */
export async function submitCredentialsForm(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil' | 'publicUrl'>,
  target: ConnectableTarget,
  form: Readonly<Record<string, string>>,
): Promise<FinishedConnection | FormToFix> {
  const { link, integration, offering } = target;
  const submission = submissionOf(form) ?? newSubmissionId();
  const endUserInputs = pickFields(form, endUserInputKeys(offering));
  // Secret values are never shown again, so only non-secret ones are echoed into the form.
  const values = pickFields(form, [...endUserInputKeys(offering), ...offering.credentials.filter((f) => !f.secret).map((f) => f.key)]);
  const toFix = (error: FormToFix['error'], status: FormToFix['status'] = 400): FormToFix => ({
    ok: false,
    reason: 'form_to_fix',
    error,
    values,
    submission,
    status,
  });
  const credentials = pickFields(
    form,
    offering.credentials.map((f) => f.key),
  );
  const missing = connectFields(offering).find((f) => f.required && !form[f.key]?.trim());
  if (missing) return toFix({ message: `${missing.label} is required.`, field: missing.key });

  let inputs: Record<string, string>;
  try {
    inputs = resolveInputValues(offering, { ...integration.inputs, ...endUserInputs });
  } catch (err) {
    if (!(err instanceof OfferingError)) throw err;
    return toFix({ message: err.message, field: err.field });
  }
  const check = await checkEndUserCredentials(offering, credentials, { inputs, publicUrl: deps.publicUrl });
  if (!check.ok) return toFix({ message: check.message, field: check.field }, check.kind === 'unreachable' ? 502 : 400);

  if (offering.auth_mode === 'oauth2') throw new Error('the credentials form is for API-key and basic offerings');
  const storedInputs = pickFields(inputs, endUserInputKeys(offering), false);
  const finished = await finishConnection(deps, link, integration, await submissionMarker(submission), {
    integration,
    linkId: link.id,
    endUser: { id: link.endUserId, email: link.endUserEmail, name: link.endUserName },
    account: { id: accountIdFor(offering, credentials, storedInputs, check.account), email: check.account.email, name: check.account.name },
    metadata: {},
    inputs: storedInputs,
    scopes: [],
    secret: { kind: 'credentials', mode: offering.auth_mode, credentials },
  });
  if (!finished.ok && finished.reason === 'not_saved') {
    return toFix({ message: `${offering.name} accepted these credentials, but they could not be saved just now. Send the form again.` }, 503);
  }
  return finished;
}
