import type { ApiKeyObject } from '../api-keys/shapes';
import type { NotificationObject, NotificationTemplateObject } from '../notifications/shapes';
import type { EventObject, WebhookObject } from '../webhooks/shapes';
import type { ConsoleContext } from './context';
import { ErrorSummary, fieldId, type Problems, problemFor, TextField } from './form';
import { ConsolePage, CsrfField } from './layout';
import { Table } from './table';

export const API_KEYS_PATH = '/console/settings/developer/api-keys';
export const WEBHOOKS_PATH = '/console/settings/developer/webhooks';
export const NOTIFICATIONS_PATH = '/console/settings/developer/notifications';

const when = (iso: string | null) => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : 'Never');

function Done({ messages, done }: { messages: Record<string, string>; done?: string }) {
  return done && messages[done] ? (
    <p class="notice success" role="status">
      {messages[done]}
    </p>
  ) : null;
}

export function ApiKeysPage({
  ctx,
  keys,
  problems,
  name,
  done,
}: {
  ctx: ConsoleContext;
  keys: ApiKeyObject[];
  problems: Problems;
  name: string;
  done?: string;
}) {
  return (
    <ConsolePage ctx={ctx} title="API keys" section="api-keys" path={API_KEYS_PATH}>
      <Done done={done} messages={{ revoked: 'The key was revoked: requests with it are refused from now on.' }} />
      <ErrorSummary problems={problems} />
      {ctx.canWrite ? (
        <form method="post" action={API_KEYS_PATH} class="panel" novalidate>
          <h2>Create an API key</h2>
          <CsrfField ctx={ctx} />
          <TextField
            id={fieldId('name')}
            name="name"
            label="Key name"
            hint="What it is for, e.g. Production backend."
            value={name}
            problems={problems}
            required
          />
          <div class="form-actions">
            <button type="submit">Create key</button>
          </div>
        </form>
      ) : null}
      {keys.length === 0 ? (
        <p>No API keys yet.</p>
      ) : (
        <Table label="API keys" columns={['Name', 'Starts with', 'Last used', 'Status', 'Actions']}>
          {keys.map((key) => (
            <tr>
              <td>{key.name}</td>
              <td>
                <code>{key.prefix}…</code>
              </td>
              <td>{when(key.last_used_at)}</td>
              <td>{key.revoked_at ? <span class="badge neutral">Revoked</span> : <span class="badge ok">Active</span>}</td>
              <td>
                {ctx.canWrite && !key.revoked_at ? (
                  <form method="post" action={`${API_KEYS_PATH}/${key.id}/revoke`} data-confirm={`Revoke ${key.name}? Requests with it stop working at once.`}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="danger">
                      Revoke<span class="vh"> {key.name}</span>
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </ConsolePage>
  );
}

export interface WebhooksPageProps {
  ctx: ConsoleContext;
  endpoint: WebhookObject | null;
  events: EventObject[];
  url: string;
  problems: Problems;
  done?: string;
}

export function WebhooksPage({ ctx, endpoint, events, url, problems, done }: WebhooksPageProps) {
  return (
    <ConsolePage ctx={ctx} title="Webhooks" section="webhooks" path={WEBHOOKS_PATH}>
      <Done done={done} messages={{ saved: 'The endpoint was saved.' }} />
      <ErrorSummary problems={problems} />
      <section class="panel" aria-labelledby="endpoint-heading">
        <h2 id="endpoint-heading">Endpoint</h2>
        {endpoint ? (
          <p>
            Events are {endpoint.enabled ? 'sent' : 'not sent (turned off)'} to <code>{endpoint.url}</code>, signed with the secret ending in{' '}
            <code>{endpoint.secret_hint}</code>.
          </p>
        ) : (
          <p>No endpoint yet: events are recorded below, and sent once you add one. Its signing secret is shown once, when it is made.</p>
        )}
        {ctx.canWrite ? (
          <form method="post" action={WEBHOOKS_PATH} novalidate>
            <CsrfField ctx={ctx} />
            <TextField id={fieldId('url')} name="url" type="url" label="Endpoint URL" hint="https to a public host." value={url} problems={problems} required />
            <label class="check" for="webhook-enabled">
              <input type="checkbox" id="webhook-enabled" name="enabled" value="yes" checked={endpoint?.enabled ?? true} />
              <span>Send events</span>
            </label>
            <div class="form-actions">
              <button type="submit">Save endpoint</button>
            </div>
          </form>
        ) : null}
        {ctx.canWrite && endpoint ? (
          <form
            method="post"
            action={`${WEBHOOKS_PATH}/rotate`}
            data-confirm="Make a new signing secret? Deliveries are signed with it at once."
            class="form-actions"
          >
            <CsrfField ctx={ctx} />
            <button type="submit" class="secondary">
              Rotate signing secret
            </button>
          </form>
        ) : null}
      </section>
      <h2>Event log</h2>
      {events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <Table label="Event log" columns={['Event', 'Created', 'Delivery', 'Attempts', 'Next retry']}>
          {events.map((e) => (
            <tr>
              <td>
                <code>{e.type}</code>
                <span class="muted"> {e.id}</span>
              </td>
              <td>{when(e.created_at)}</td>
              <td>
                {e.delivery_status}
                {e.last_response_status !== null ? ` (HTTP ${e.last_response_status})` : ''}
                {e.last_error ? <p class="muted">{e.last_error}</p> : null}
              </td>
              <td>{e.attempts}</td>
              <td>{e.next_attempt_at ? when(e.next_attempt_at) : '—'}</td>
            </tr>
          ))}
        </Table>
      )}
    </ConsolePage>
  );
}

/** The fields of one notification kind's form; a blank locale row adds a translation. */
function TemplateForm({ ctx, template, problems }: { ctx: ConsoleContext; template: NotificationTemplateObject; problems: Problems }) {
  const slug = template.kind.replaceAll('.', '-');
  const locales = [...Object.entries(template.templates), ['', { subject: '', body: '' }] as const];
  const disabled = !ctx.canWrite;
  return (
    <form method="post" action={`${NOTIFICATIONS_PATH}/${template.kind}`} class="panel" novalidate aria-labelledby={`${slug}-heading`}>
      <h2 id={`${slug}-heading`}>
        <code>{template.kind}</code>
      </h2>
      <p class="muted">{template.description}</p>
      <CsrfField ctx={ctx} />
      <fieldset>
        <legend>Who receives it</legend>
        {(
          [
            ['owner', "The application's owner (their primary email), or the organization's owners when it has none"],
            ['fixed', 'These addresses'],
            ['off', 'Nobody: nothing is sent or kept'],
          ] as const
        ).map(([rule, label]) => (
          <label class="check" for={`${slug}-rule-${rule}`}>
            <input type="radio" id={`${slug}-rule-${rule}`} name="recipient_rule" value={rule} checked={template.recipient_rule === rule} disabled={disabled} />
            <span>{label}</span>
          </label>
        ))}
        <label for={`${slug}-addresses`}>
          Addresses <span class="muted">(one per line, for "These addresses")</span>
        </label>
        {problemFor(problems, `${slug}-addresses`).length > 0 ? <p class="field-error">{problemFor(problems, `${slug}-addresses`).join(' ')}</p> : null}
        <textarea id={`${slug}-addresses`} name="fixed_addresses" rows={2} disabled={disabled}>
          {template.fixed_addresses.join('\n')}
        </textarea>
      </fieldset>
      <p class="hint">Placeholders: {template.placeholders.map((p) => `{{${p}}}`).join(', ')}. The first language is the one notifications use.</p>
      {locales.map(([locale, text], n) => (
        <fieldset>
          <legend>{locale ? `Language ${locale}` : 'Add a language'}</legend>
          <label for={`${slug}-locale-${n}`}>Language tag</label>
          <input type="text" id={`${slug}-locale-${n}`} name={`locale_${n}`} value={locale} disabled={disabled} />
          <label for={`${slug}-subject-${n}`}>Subject</label>
          <input type="text" id={`${slug}-subject-${n}`} name={`subject_${n}`} value={text.subject} disabled={disabled} />
          <label for={`${slug}-body-${n}`}>Body</label>
          <textarea id={`${slug}-body-${n}`} name={`body_${n}`} rows={6} disabled={disabled}>
            {text.body}
          </textarea>
        </fieldset>
      ))}
      {ctx.canWrite ? (
        <div class="form-actions">
          <button type="submit">
            Save<span class="vh"> {template.kind}</span>
          </button>
        </div>
      ) : null}
    </form>
  );
}

export interface NotificationsPageProps {
  ctx: ConsoleContext;
  templates: NotificationTemplateObject[];
  outbox: NotificationObject[];
  problems: Problems;
  done?: string;
}

export function NotificationsPage({ ctx, templates, outbox, problems, done }: NotificationsPageProps) {
  return (
    <ConsolePage ctx={ctx} title="Notifications" section="notifications" path={NOTIFICATIONS_PATH}>
      <Done done={done} messages={{ saved: 'The notification rule was saved.' }} />
      <ErrorSummary problems={problems} />
      <p>Emails Edgelink sends about your OAuth applications: who gets them, and what they say in each language.</p>
      {templates.map((t) => (
        <TemplateForm ctx={ctx} template={t} problems={problems} />
      ))}
      <h2>Outbox</h2>
      {outbox.length === 0 ? (
        <p>Nothing sent yet.</p>
      ) : (
        <Table label="Outbox" columns={['Subject', 'To', 'Status', 'Created']}>
          {outbox.map((n) => (
            <tr>
              <td>{n.subject}</td>
              <td>{n.recipients.join(', ') || 'Nobody'}</td>
              <td>
                {n.status}
                {n.last_error ? <p class="muted">{n.last_error}</p> : null}
              </td>
              <td>{when(n.created_at)}</td>
            </tr>
          ))}
        </Table>
      )}
    </ConsolePage>
  );
}
