import { HtmlEscapedCallbackPhase, resolveCallback } from 'hono/utils/html';
import type { HotRoute } from '../hot/route';
import { LINK_TOKEN_PATTERN, linkStatus } from '../links/service';
import { setPageHeaders, withFormTargets } from '../views/headers';
import { LinkPage, linkPageFormTargets } from './link-page';
import { loadLinkPage } from './link-page-data';

const LINK_PATH = /^\/link\/([^/]+)$/;

/**
 * The link page end users open, answered before the app when the link is active and offers
 * something: its one statement, then the page as the app's route renders it (link-page-routes
 * `GET /:token`), with the page layer's headers. Any other answer (unknown, inactive, nothing
 * to connect) is the app's, so its pages stay in one place.
 */
export const linkPageHotRoute: HotRoute = {
  route: '/link/:token',
  match: (path) => {
    const token = LINK_PATH.exec(path)?.[1];
    return token !== undefined && LINK_TOKEN_PATTERN.test(token) ? { token } : null;
  },
  async serve(_request, { token }, deps) {
    const data = await loadLinkPage(deps.db, token!, deps.query);
    if (!data || data.entries.length === 0 || linkStatus(data.link, Date.now()) !== 'active') return null;
    const page = <LinkPage token={token!} orgName={data.orgName} endUserName={data.link.endUserName} entries={data.entries} />;
    // What c.html does with a JSX page, so the bytes are the app's.
    const html = await resolveCallback(page, HtmlEscapedCallbackPhase.Stringify, false, {});
    const headers = new Headers({ 'content-type': 'text/html; charset=UTF-8' });
    await setPageHeaders(headers, withFormTargets([], linkPageFormTargets(data.entries, deps.publicUrl)));
    return { response: new Response(html, { status: 200, headers }), caller: null };
  },
};
