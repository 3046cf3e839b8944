import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { assetPaths } from './assets';
import { type ConsoleContext, CSRF_FIELD } from './context';

/** A place in the console's navigation; `aria-current` marks the page's own. */
export type Section =
  | 'integrations'
  | 'authorizations'
  | 'links'
  | 'connections'
  | 'oauth-apps'
  | 'api-keys'
  | 'webhooks'
  | 'notifications'
  | 'my-apps'
  | 'admin-offerings'
  | 'admin-publish-requests'
  | 'admin-organizations';

interface NavItem {
  section: Section;
  href: string;
  label: string;
}

const OAUTH_NAV: NavItem[] = [
  { section: 'integrations', href: '/console/oauth', label: 'Integrations' },
  { section: 'authorizations', href: '/console/authorizations', label: 'Authorizations' },
  { section: 'links', href: '/console/links', label: 'Links' },
  { section: 'connections', href: '/console/connections', label: 'Connections' },
];

const DEVELOPER_NAV: NavItem[] = [
  { section: 'oauth-apps', href: '/console/settings/developer/oauth-apps', label: 'OAuth Apps' },
  { section: 'api-keys', href: '/console/settings/developer/api-keys', label: 'API keys' },
  { section: 'webhooks', href: '/console/settings/developer/webhooks', label: 'Webhooks' },
  { section: 'notifications', href: '/console/settings/developer/notifications', label: 'Notifications' },
];

/** Shown to platform admins only; the pages check again (`requirePlatformAdmin`). */
const OPERATOR_NAV: NavItem[] = [
  { section: 'admin-offerings', href: '/console/admin/offerings', label: 'Offerings' },
  { section: 'admin-publish-requests', href: '/console/admin/publish-requests', label: 'Publish requests' },
  { section: 'admin-organizations', href: '/console/admin/organizations', label: 'Organizations and users' },
];

/** The navigation section a console path belongs to: the longest matching item, e.g. for a secret page's way back. */
export function sectionForPath(path: string): Section | null {
  const items = [...OAUTH_NAV, ...DEVELOPER_NAV, ...OPERATOR_NAV, { section: 'my-apps' as const, href: '/console/my-user/oauth-applications', label: '' }];
  const matching = items.filter((item) => path === item.href || path.startsWith(`${item.href}/`) || path.startsWith(`${item.href}?`));
  return matching.sort((a, b) => b.href.length - a.href.length)[0]?.section ?? null;
}

function NavList({ items, active }: { items: NavItem[]; active: Section }) {
  return (
    <ul>
      {items.map((item) => (
        <li>
          <a href={item.href} aria-current={item.section === active ? 'page' : undefined}>
            {item.label}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The hidden field every console form posts: the session's form token. */
export function CsrfField({ ctx }: { ctx: ConsoleContext }) {
  return <input type="hidden" name={CSRF_FIELD} value={ctx.csrf} />;
}

/**
 * People in several organizations pick the one the pages show, then press Switch: a select that
 * acted on change would fire on every arrow key (WCAG 3.2.2).
 */
function OrganizationSwitcher({ ctx, returnTo }: { ctx: ConsoleContext; returnTo: string }) {
  if (ctx.viewer.memberships.length < 2) {
    return ctx.org ? <p class="muted">{ctx.org.orgName}</p> : null;
  }
  return (
    <form method="post" action="/console/organization">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="return_to" value={returnTo} />
      <label for="org-switcher">Organization</label>
      <select id="org-switcher" name="org_id">
        {ctx.viewer.memberships.map((m) => (
          <option value={m.orgId} selected={m.orgId === ctx.org?.orgId}>
            {m.orgName}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">
        Switch
      </button>
    </form>
  );
}

function UserMenu({ ctx }: { ctx: ConsoleContext }) {
  return (
    <details class="menu">
      <summary>{ctx.viewer.name ?? ctx.viewer.email}</summary>
      <div class="menu-items">
        <p class="muted">My User</p>
        <a href="/console/my-user/oauth-applications">OAuth Applications</a>
        <form method="post" action="/logout">
          <button type="submit">Sign out</button>
        </form>
      </div>
    </details>
  );
}

export interface ConsolePageProps {
  ctx: ConsoleContext;
  /** The page's heading and document title. */
  title: string;
  section: Section;
  /** This page's path and query, where the organization switcher comes back to. */
  path: string;
  /** Replaces the plain heading, e.g. a heading with its page's main action beside it. */
  heading?: Child;
  children?: Child;
}

/** The one layout of every console page: skip link, header, navigation, main content. */
export async function ConsolePage({ ctx, title, section, path, heading, children }: ConsolePageProps) {
  const assets = await assetPaths();
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <title>{`${title} · Edgelink console`}</title>
          <link rel="stylesheet" href={assets.css} />
          <script src={assets.js} defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="topbar">
            <a class="brand" href="/console">
              Edgelink
            </a>
            <OrganizationSwitcher ctx={ctx} returnTo={path} />
            <UserMenu ctx={ctx} />
          </header>
          <div class="shell">
            <nav class="side" aria-label="Console">
              <h2>OAuth</h2>
              <NavList items={OAUTH_NAV} active={section} />
              <h2>Settings</h2>
              <h3>Developer</h3>
              <NavList items={DEVELOPER_NAV} active={section} />
              {ctx.viewer.isPlatformAdmin ? (
                <>
                  <h2>Operator</h2>
                  <NavList items={OPERATOR_NAV} active={section} />
                </>
              ) : null}
            </nav>
            <main id="main">
              {heading ?? <h1>{title}</h1>}
              {ctx.org && !ctx.canWrite ? (
                <p class="notice info">You are a member of {ctx.org.orgName}: you can look at everything here, and an owner or admin can change it.</p>
              ) : null}
              {children}
            </main>
          </div>
        </body>
      </html>
    </>
  );
}
