import { SCOPE_CATALOG } from '../applications/scopes';
import { Page } from '../views/layout';

export interface ConsentProps {
  appName: string;
  description: string;
  appOrgName: string;
  termsUrl: string | null;
  privacyUrl: string | null;
  scopes: string[];
  orgs: { id: string; name: string }[];
  requestId: string;
  csrf: string;
  userEmail: string;
}

const describeScope = (scope: string) => SCOPE_CATALOG.find((s) => s.scope === scope)?.description ?? scope;

/** Allow or Deny, with everything the user needs to decide in plain words. */
export function ConsentPage(props: ConsentProps) {
  return (
    <Page title={`Allow ${props.appName} to use your Edgelink account?`} context={`Signed in as ${props.userEmail}`}>
      <p class="muted">
        {props.appName} is registered by {props.appOrgName}.
      </p>
      {props.description ? <p>{props.description}</p> : null}
      <h2>It will be able to:</h2>
      <ul>
        {props.scopes.map((scope) => (
          <li>{describeScope(scope)}</li>
        ))}
      </ul>
      {props.termsUrl || props.privacyUrl ? (
        <p class="muted">
          {props.termsUrl ? <a href={props.termsUrl}>Terms of service</a> : null}
          {props.termsUrl && props.privacyUrl ? ' · ' : null}
          {props.privacyUrl ? <a href={props.privacyUrl}>Privacy policy</a> : null}
        </p>
      ) : null}
      <form method="post" action="/oauth/authorize">
        <input type="hidden" name="request_id" value={props.requestId} />
        <input type="hidden" name="csrf_token" value={props.csrf} />
        {props.orgs.length > 1 ? (
          <>
            <label for="organization">For which organization?</label>
            <select id="organization" name="organization_id">
              {props.orgs.map((org) => (
                <option value={org.id}>{org.name}</option>
              ))}
            </select>
          </>
        ) : (
          <input type="hidden" name="organization_id" value={props.orgs[0]!.id} />
        )}
        <div class="form-actions">
          <button type="submit" name="decision" value="allow">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </div>
      </form>
    </Page>
  );
}
