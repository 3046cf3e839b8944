import { describeRoute, validate } from '../lib/validate';
import { Page } from '../views/layout';
import { pageApp } from '../views/page-app';
import { type DirectoryEntry, type DirectoryPage, directoryQuery, listDirectory } from './directory';

/** Links to pages someone else runs: no opener, no referrer, and no endorsement for search engines. */
const EXTERNAL_REL = 'noopener noreferrer nofollow';

function Entry({ app }: { app: DirectoryEntry }) {
  return (
    <li>
      <div class="service">
        <h2>{app.name}</h2>
        <p class="muted">by {app.organization}</p>
        {app.description ? <p>{app.description}</p> : null}
        {app.termsUrl || app.privacyUrl ? (
          <p class="actions">
            {app.termsUrl ? (
              <a href={app.termsUrl} rel={EXTERNAL_REL} aria-label={`Terms of Service of ${app.name}`}>
                Terms of Service
              </a>
            ) : null}
            {app.privacyUrl ? (
              <a href={app.privacyUrl} rel={EXTERNAL_REL} aria-label={`Privacy Policy of ${app.name}`}>
                Privacy Policy
              </a>
            ) : null}
          </p>
        ) : null}
      </div>
    </li>
  );
}

export function DirectoryPageView({ entries, page, hasNext }: DirectoryPage) {
  return (
    <Page title="App directory" indexable>
      <p>Applications that work with Edgelink, reviewed by its operators. Each asks for your permission before it gets access.</p>
      {entries.length === 0 ? (
        <p>{page === 1 ? 'No applications are listed yet.' : 'There are no more applications.'}</p>
      ) : (
        <ul class="services" aria-label="Listed applications">
          {entries.map((app) => (
            <Entry app={app} />
          ))}
        </ul>
      )}
      {page > 1 || hasNext ? (
        <nav aria-label="Pages" class="form-actions">
          {page > 1 ? <a href={page === 2 ? '/apps' : `/apps?page=${page - 1}`}>Previous page</a> : null}
          {hasNext ? <a href={`/apps?page=${page + 1}`}>Next page</a> : null}
        </nav>
      ) : null}
    </Page>
  );
}

/** `GET /apps`: the public directory of listed applications (Close: "make it public and optionally get listed"). */
export const directoryRoutes = pageApp().get(
  '/',
  describeRoute({
    summary: 'Public directory of listed OAuth applications (HTML)',
    description: 'Applications an operator approved as public, active, whose owner set `listed: true`; sorted by name, 50 per page (`?page=`). No sign-in.',
    tags: ['OAuth applications'],
    auth: 'public',
    status: 200,
  }),
  validate('query', directoryQuery),
  async (c) => c.html(<DirectoryPageView {...(await listDirectory(c.var.deps.db, c.req.valid('query').page))} />, 200),
);
