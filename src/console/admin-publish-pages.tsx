import type { ReviewItem } from '../applications/publish';
import type { ConsoleContext } from './context';
import { ErrorSummary, type Problems, problemFor } from './form';
import { ConsolePage, CsrfField } from './layout';
import { Table } from './table';

export const PUBLISH_REQUESTS_PATH = '/console/admin/publish-requests';

/** A publish request as the operator reviews it: the application and who it belongs to. */
export type PublishRequest = ReviewItem;

const when = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

export const reasonFieldId = (appId: string) => `reason-${appId}`;

const DONE: Record<string, string> = {
  approved: 'The request was approved: the application is public now, and its owner was notified.',
  rejected: 'The request was rejected: the application stays private, and its owner was notified with your reason.',
};

function ExternalLink({ href }: { href: string | null }) {
  return href ? <a href={href}>{href}</a> : <span class="muted">Not given</span>;
}

function RequestPanel({ ctx, request, problems, reason }: { ctx: ConsoleContext; request: PublishRequest; problems: Problems; reason: string }) {
  const { app } = request;
  const headingId = `request-${app.id}`;
  const reasonId = reasonFieldId(app.id);
  const errors = problemFor(problems, reasonId);
  return (
    <section class="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{app.name}</h2>
      <dl class="facts">
        <dt>Organization</dt>
        <dd>{request.orgName}</dd>
        <dt>Owner</dt>
        <dd>
          {request.owner
            ? `${request.owner.name ?? request.owner.email} (${request.owner.email})`
            : "None (made with an API key): the organization's owners are notified"}
        </dd>
        <dt>Description</dt>
        <dd>{app.description || <span class="muted">None</span>}</dd>
        <dt>Redirect URIs</dt>
        <dd>
          {app.redirect_uris.length === 0 ? (
            <span class="muted">None</span>
          ) : (
            <ul>
              {app.redirect_uris.map((uri) => (
                <li>
                  <code>{uri}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Scopes</dt>
        <dd>{app.scopes.length === 0 ? <span class="muted">None</span> : app.scopes.map((s, n) => [n > 0 ? ', ' : '', <code>{s}</code>])}</dd>
        <dt>Terms of Service</dt>
        <dd>
          <ExternalLink href={app.terms_url} />
        </dd>
        <dt>Privacy Policy</dt>
        <dd>
          <ExternalLink href={app.privacy_url} />
        </dd>
        <dt>Requested</dt>
        <dd>{when(app.updated_at)}</dd>
      </dl>
      <div class="form-actions">
        <form method="post" action={`${PUBLISH_REQUESTS_PATH}/${app.id}/approve`}>
          <CsrfField ctx={ctx} />
          <button type="submit">
            Approve<span class="vh"> {app.name}</span>
          </button>
        </form>
      </div>
      <form method="post" action={`${PUBLISH_REQUESTS_PATH}/${app.id}/reject`} novalidate>
        <CsrfField ctx={ctx} />
        <label for={reasonId}>Reason for rejecting {app.name}</label>
        <span class="hint" id={`${reasonId}-hint`}>
          Sent to the owner, so they know what to change before they ask again.
        </span>
        {errors.length > 0 ? (
          <p class="field-error" id={`${reasonId}-error`}>
            {errors.join(' ')}
          </p>
        ) : null}
        <textarea
          id={reasonId}
          name="reason"
          rows={3}
          required
          aria-describedby={errors.length > 0 ? `${reasonId}-hint ${reasonId}-error` : `${reasonId}-hint`}
          aria-invalid={errors.length > 0 ? 'true' : undefined}
        >
          {reason}
        </textarea>
        <div class="form-actions">
          <button type="submit" class="danger">
            Reject<span class="vh"> {app.name}</span>
          </button>
        </div>
      </form>
    </section>
  );
}

export interface PublishRequestsPageProps {
  ctx: ConsoleContext;
  pending: PublishRequest[];
  decided: PublishRequest[];
  problems: Problems;
  /** The reason typed into the form that did not go through, by application id. */
  reasons: Record<string, string>;
  done?: string;
}

export function PublishRequestsPage({ ctx, pending, decided, problems, reasons, done }: PublishRequestsPageProps) {
  return (
    <ConsolePage ctx={ctx} title="Publish requests" section="admin-publish-requests" path={PUBLISH_REQUESTS_PATH}>
      {done && DONE[done] ? (
        <p class="notice success" role="status">
          {DONE[done]}
        </p>
      ) : null}
      <ErrorSummary problems={problems} />
      <p>
        Applications are private until you approve a request to make them public: then users of any organization may authorize them. Public applications need
        terms and privacy pages. The owner is notified of your decision either way.
      </p>
      {pending.length === 0 ? (
        <p>No publish requests are waiting.</p>
      ) : (
        pending.map((request) => <RequestPanel ctx={ctx} request={request} problems={problems} reason={reasons[request.app.id] ?? ''} />)
      )}
      <h2>Recently decided</h2>
      {decided.length === 0 ? (
        <p>No decisions yet.</p>
      ) : (
        <Table label="Recently decided publish requests" columns={['Application', 'Organization', 'Decision', 'Decided']}>
          {decided.map(({ app, orgName }) => (
            <tr>
              <td>{app.name}</td>
              <td>{orgName}</td>
              <td>{app.publish_state === 'approved' ? <span class="badge ok">Approved: public</span> : <span class="badge bad">Rejected: private</span>}</td>
              <td>{when(app.updated_at)}</td>
            </tr>
          ))}
        </Table>
      )}
    </ConsolePage>
  );
}
