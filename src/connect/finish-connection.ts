import type { AppDeps } from '../deps';
import { saveConnectionFromCredentials, saveConnectionFromGrant, type CredentialsInput, type GrantInput, type SavedConnection } from '../connections/service';
import { markVerifiedByConnection, type IntegrationRow } from '../integrations/service';
import { consumeLinkUse, releaseLinkUse, type LinkRow } from '../links/service';
import { buildResultRedirect } from './redirect';

/** What the flow already knows when it finishes: the link says for whom, the integration where. */
type FromFlow = 'orgId' | 'integration' | 'linkId';

/** What the end user brought: tokens from the OAuth callback, or credentials the provider accepted. */
export type Obtained = { kind: 'grant'; grant: Omit<GrantInput, FromFlow> } | { kind: 'credentials'; credentials: Omit<CredentialsInput, FromFlow> };

export type FinishedConnection =
  | {
      ok: true;
      connectionId: string;
      created: boolean;
      /** The link's redirect_url with the signed outcome; null when the link has none. */
      redirectTo: string | null;
    }
  | { ok: false; reason: 'link_used_up' };

/**
 * The last step of every connect flow. The use is counted first, by a conditional write, so a
 * used-up link stores nothing; saving emits the connection's webhook; if saving fails, the use
 * is given back. A draft integration waiting for its first connection is verified by this one.
 */
export async function finishConnection(
  deps: Pick<AppDeps, 'db' | 'keyring' | 'waitUntil' | 'publicUrl'>,
  link: LinkRow,
  integration: IntegrationRow,
  obtained: Obtained,
  now = Date.now(),
): Promise<FinishedConnection> {
  if (!(await consumeLinkUse(deps.db, link.id))) return { ok: false, reason: 'link_used_up' };
  const fromFlow = { orgId: link.orgId, integration, linkId: link.id };
  let saved: SavedConnection;
  try {
    saved =
      obtained.kind === 'grant'
        ? await saveConnectionFromGrant(deps, { ...obtained.grant, ...fromFlow })
        : await saveConnectionFromCredentials(deps, { ...obtained.credentials, ...fromFlow });
  } catch (err) {
    await releaseLinkUse(deps.db, link.id);
    throw err;
  }
  if (integration.status === 'draft') deps.waitUntil(markVerifiedByConnection(deps.db, integration.id, now));
  const connectionId = saved.connection.id;
  const redirectTo = await buildResultRedirect(deps, link, { status: 'connected', connectionId }, now);
  return { ok: true, connectionId, created: saved.created, redirectTo };
}
