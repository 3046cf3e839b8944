import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

/**
 * The only CSS of the public pages. It is a constant so the Content-Security-Policy can allow
 * it by hash (see headers.ts): no external stylesheet, no `style=` attribute anywhere.
 * Colours meet WCAG AA contrast on their backgrounds; focus is always visible.
 */
export const PAGE_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f5f6f8;color:#1b1d21;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.wrap{max-width:38rem;margin:0 auto;padding:1rem}
header.site{padding:.75rem 0;color:#41464f;font-size:.95rem}
header.site p{margin:0}
main{background:#fff;border:1px solid #d8dce3;border-radius:.75rem;padding:1.25rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}
h2{font-size:1.125rem;margin:0}
p{margin:.5rem 0}
a{color:#0b57d0}
.muted{color:#4d535c;font-size:.95rem}
ul.services{list-style:none;margin:1rem 0 0;padding:0}
ul.services li{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;justify-content:space-between;border-top:1px solid #e3e6eb;padding:1rem 0}
ul.services li:first-child{border-top:0}
.service{flex:1 1 12rem;min-width:0}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
form{margin:0}
.button,button{display:inline-block;font:inherit;font-weight:600;line-height:1.25;padding:.625rem 1rem;border-radius:.5rem;border:2px solid #0b57d0;background:#0b57d0;color:#fff;text-decoration:none;cursor:pointer;min-height:2.75rem}
.button.secondary,button.secondary{background:#fff;color:#0b57d0}
a:focus-visible,button:focus-visible,input:focus-visible,.button:focus-visible{outline:3px solid #1b1d21;outline-offset:2px}
.badge{display:inline-block;font-size:.875rem;font-weight:600;padding:.125rem .5rem;border-radius:1rem}
.badge.ok{background:#e6f4ea;color:#1d5e2c}
.badge.warn{background:#fef3e0;color:#7a4100}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{display:block;width:100%;font:inherit;padding:.625rem .75rem;border:1px solid #6b717b;border-radius:.5rem;background:#fff;color:#1b1d21}
.hint{display:block;color:#4d535c;font-size:.9rem;margin:0 0 .375rem}
.form-actions{margin-top:1.25rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
.notice{border-left:.375rem solid;border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0 1rem}
.notice.success{border-color:#1d7a36;background:#e6f4ea}
.notice.error{border-color:#b3261e;background:#fce8e6}
.notice.info{border-color:#0b57d0;background:#e8f0fe}
.notice p{margin:0}
footer.site{padding:1rem 0;color:#4d535c;font-size:.85rem;text-align:center}
`;

export interface PageProps {
  /** The page's heading and (with the product name) its document title. */
  title: string;
  /** Who the page is for, e.g. the organization that sent the link; shown above the content. */
  context?: string;
  /** Pages are kept out of search engines (links, sign-in, consent); a public directory asks to be found. */
  indexable?: boolean;
  children?: Child;
}

/** The one layout of every HTML page: no scripts, no external assets, readable on a phone. */
export function Page({ title, context, indexable = false, children }: PageProps) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {indexable ? null : <meta name="robots" content="noindex, nofollow" />}
          <title>{`${title} · Edgelink`}</title>
          <style>{raw(PAGE_CSS)}</style>
        </head>
        <body>
          <div class="wrap">
            <header class="site">
              <p>{context ?? 'Edgelink'}</p>
            </header>
            <main id="main">
              <h1>{title}</h1>
              {children}
            </main>
            <footer class="site">
              <p>Connections are secured by Edgelink.</p>
            </footer>
          </div>
        </body>
      </html>
    </>
  );
}
