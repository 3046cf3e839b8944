import { Page } from '../views/layout';
import { Notice } from '../views/notice';
import type { LinkStatus } from '../links/shapes';
import { authorizationFormTarget } from './form-targets';
import type { LinkPageEntry } from './link-page-data';

export const connectPath = (token: string, integrationId: string) => `/link/${token}/connect/${integrationId}`;

/** How the Connect button of an entry works. */
export type ConnectMode =
  /** POST straight to the provider redirect; `defaults` lists end-user inputs that have one. */
  | { kind: 'direct'; defaults: { label: string; value: string }[] }
  /** OAuth with end-user inputs without a default: the POST answers the form that asks them. */
  | { kind: 'ask' }
  /** A link to the credentials form: API keys and basic auth. */
  | { kind: 'form' };

export function connectModeOf(entry: LinkPageEntry): ConnectMode {
  const { offering } = entry;
  if (offering.auth_mode !== 'oauth2') return { kind: 'form' };
  const endUserInputs = offering.inputs.filter((i) => i.source === 'end_user');
  if (endUserInputs.some((i) => i.default === undefined)) return { kind: 'ask' };
  return { kind: 'direct', defaults: endUserInputs.map((i) => ({ label: i.label, value: i.default! })) };
}

/** Where the page's direct Connect forms end up (see allowFormTargets): their providers' authorization origins. */
export function linkPageFormTargets(entries: readonly LinkPageEntry[], publicUrl: string): string[] {
  return entries.flatMap((entry) => {
    if (connectModeOf(entry).kind !== 'direct') return [];
    const defaults = Object.fromEntries(entry.offering.inputs.filter((i) => i.default !== undefined).map((i) => [i.key, i.default!]));
    const target = authorizationFormTarget(entry.offering, { ...defaults, ...entry.integration.inputs }, publicUrl);
    return target === null ? [] : [target];
  });
}

function ConnectionState({ entry }: { entry: LinkPageEntry }) {
  const connection = entry.connection;
  if (!connection) return null;
  const account = connection.accountEmail ?? connection.accountName;
  if (connection.status === 'needs_reauth') {
    return (
      <p>
        <span class="badge warn">Needs reconnecting</span>
        {account ? <span class="muted"> {account}</span> : null}
      </p>
    );
  }
  return (
    <p>
      <span class="badge ok">Connected ✓</span>
      {account ? <span class="muted"> as {account}</span> : null}
    </p>
  );
}

function ConnectAction({ token, entry }: { token: string; entry: LinkPageEntry }) {
  const { integration } = entry;
  const verb = entry.connection ? 'Reconnect' : 'Connect';
  // An existing healthy connection makes reconnecting the secondary choice.
  const style = entry.connection?.status === 'active' ? 'button secondary' : 'button';
  const mode = connectModeOf(entry);
  const href = connectPath(token, integration.id);
  if (mode.kind === 'form') {
    return (
      <a class={style} href={href} aria-label={`${verb} ${integration.name}`}>
        {verb}
      </a>
    );
  }
  return (
    <>
      <form method="post" action={href}>
        <button type="submit" class={style === 'button' ? undefined : 'secondary'} aria-label={`${verb} ${integration.name}`}>
          {verb}
        </button>
      </form>
      {mode.kind === 'direct' && mode.defaults.length > 0 ? (
        <a href={href} aria-label={`Change ${mode.defaults.map((d) => d.label).join(', ')} for ${integration.name}`}>
          Change settings
        </a>
      ) : null}
    </>
  );
}

function Entry({ token, entry }: { token: string; entry: LinkPageEntry }) {
  const { integration, offering } = entry;
  const mode = connectModeOf(entry);
  return (
    <li>
      <div class="service">
        <h2>{integration.name}</h2>
        {offering.name !== integration.name ? <p class="muted">{offering.name}</p> : null}
        {mode.kind === 'direct' && mode.defaults.length > 0 ? <p class="muted">{mode.defaults.map((d) => `${d.label}: ${d.value}`).join(' · ')}</p> : null}
        <ConnectionState entry={entry} />
      </div>
      <div class="actions">
        <ConnectAction token={token} entry={entry} />
      </div>
    </li>
  );
}

export interface LinkPageProps {
  token: string;
  orgName: string;
  endUserName: string | null;
  entries: LinkPageEntry[];
}

/** The connect page: every service the link offers, with its state and one button. */
export function LinkPage({ token, orgName, endUserName, entries }: LinkPageProps) {
  return (
    <Page title="Connect your accounts" context={orgName}>
      <p>
        {orgName} asks {endUserName ? `you (${endUserName})` : 'you'} to connect the services below.
      </p>
      <ul class="services" aria-label="Services">
        {entries.map((entry) => (
          <Entry token={token} entry={entry} />
        ))}
      </ul>
    </Page>
  );
}

const INACTIVE: Record<Exclude<LinkStatus, 'active'>, { title: string; message: string }> = {
  expired: { title: 'This link has expired', message: 'Ask whoever sent it to you for a new link.' },
  used_up: { title: 'This link has been used up', message: 'It could connect a limited number of accounts. Ask whoever sent it to you for a new link.' },
  disabled: { title: 'This link has been turned off', message: 'Ask whoever sent it to you for a new link.' },
};

export function InactiveLinkPage({ status, orgName }: { status: Exclude<LinkStatus, 'active'>; orgName: string }) {
  return <Notice tone="error" context={orgName} {...INACTIVE[status]} />;
}

export function UnknownLinkPage() {
  return (
    <Notice tone="error" title="This link does not work" message="Check that you opened the whole address, or ask whoever sent it to you for a new link." />
  );
}

export function NothingToConnectPage({ orgName }: { orgName: string }) {
  return (
    <Notice
      tone="info"
      context={orgName}
      title="Nothing to connect yet"
      message={`${orgName} has not set up any service for this link yet. Try again later, or ask them about it.`}
    />
  );
}
