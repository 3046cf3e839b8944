import type { AppDeps } from '../deps';
import { checkEndUserCredentials } from '../provider/credential-check';
import { accountIdFor } from './account-id';
import { OfferingError } from '../offerings/errors';
import { resolveInputValues } from '../offerings/inputs';
import { finishConnection, type FinishedConnection } from './finish-connection';
import { connectFields, endUserInputKeys, pickFields } from './form-fields';
import type { ConnectableTarget } from './link-page-data';

/** The form goes back to the end user with what to fix; secret values are never echoed. */
export interface FormToFix {
  ok: false;
  reason: 'form_to_fix';
  error: { message: string; field?: string };
  values: Record<string, string>;
  status: 400 | 502;
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
  const endUserInputs = pickFields(form, endUserInputKeys(offering));
  // Secret values are never shown again, so only non-secret ones are echoed into the form.
  const values = pickFields(form, [...endUserInputKeys(offering), ...offering.credentials.filter((f) => !f.secret).map((f) => f.key)]);
  const toFix = (error: FormToFix['error'], status: FormToFix['status'] = 400): FormToFix => ({ ok: false, reason: 'form_to_fix', error, values, status });
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

  const storedInputs = pickFields(inputs, endUserInputKeys(offering), false);
  return finishConnection(deps, link, integration, {
    kind: 'credentials',
    credentials: {
      endUser: { id: link.endUserId, email: link.endUserEmail, name: link.endUserName },
      account: { id: accountIdFor(offering, credentials, storedInputs, check.account), email: check.account.email, name: check.account.name },
      credentials,
      inputs: storedInputs,
    },
  });
}
