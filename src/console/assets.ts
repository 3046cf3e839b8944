import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { sha256Hex } from '../lib/crypto';

/**
 * The console's one stylesheet. Colours meet WCAG AA contrast on their backgrounds, focus is
 * always visible, and below 48rem the sidebar stacks above the content (phones).
 */
export const CONSOLE_CSS = `
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none !important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f5f6f8;color:#1b1d21;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:#0b57d0}
.skip{position:absolute;left:-999rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip:focus{left:1rem;top:1rem;z-index:10;background:#fff;padding:.5rem 1rem;border:2px solid #1b1d21}
.topbar{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;justify-content:space-between;background:#fff;border-bottom:1px solid #d8dce3;padding:.5rem 1rem}
.brand{font-weight:700;color:#1b1d21;text-decoration:none;font-size:1.125rem}
.topbar form{display:flex;gap:.5rem;align-items:center;margin:0}
.topbar label{margin:0;font-weight:600}
.shell{display:flex;min-height:calc(100vh - 3.5rem)}
nav.side{flex:0 0 15rem;background:#fff;border-right:1px solid #d8dce3;padding:1rem}
nav.side h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#4d535c;margin:1rem 0 .25rem}
nav.side h2:first-child{margin-top:0}
nav.side h3{font-size:.85rem;color:#4d535c;margin:.5rem 0 .25rem .5rem}
nav.side ul{list-style:none;margin:0;padding:0}
nav.side a{display:block;padding:.375rem .5rem;border-radius:.375rem;text-decoration:none;color:#1b1d21}
nav.side a[aria-current=page]{background:#e8f0fe;color:#0b3f9a;font-weight:600}
main{flex:1 1 auto;min-width:0;padding:1.25rem 1.5rem;max-width:72rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0}
.muted,.hint{color:#4d535c;font-size:.95rem}
.hint{display:block;margin:0 0 .375rem}
.panel{background:#fff;border:1px solid #d8dce3;border-radius:.75rem;padding:1.25rem;margin:0 0 1rem}
.panel>h2:first-of-type{margin-top:0}
.toolbar{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;justify-content:space-between;margin:0 0 1rem}
.toolbar h1{margin:0}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #d8dce3;border-radius:.5rem}
th,td{text-align:left;padding:.625rem .75rem;border-top:1px solid #e3e6eb;vertical-align:top}
thead th{border-top:0;background:#f0f2f5;font-size:.9rem}
.table-wrap{overflow-x:auto}
.button,button{display:inline-block;font:inherit;font-weight:600;line-height:1.25;padding:.5rem .875rem;border-radius:.5rem;border:2px solid #0b57d0;background:#0b57d0;color:#fff;text-decoration:none;cursor:pointer;min-height:2.5rem}
.button.secondary,button.secondary{background:#fff;color:#0b57d0}
button.danger{background:#b3261e;border-color:#b3261e}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible,.button:focus-visible{outline:3px solid #1b1d21;outline-offset:2px}
label,legend{display:block;font-weight:600;margin:1rem 0 .25rem}
fieldset{border:1px solid #d8dce3;border-radius:.5rem;margin:1rem 0;padding:.25rem 1rem 1rem}
fieldset label.check{font-weight:400;margin:.375rem 0;display:flex;gap:.5rem;align-items:center}
input[type=text],input[type=email],input[type=url],input[type=password],input[type=number],input[type=datetime-local],select,textarea{display:block;width:100%;max-width:36rem;font:inherit;padding:.5rem .75rem;border:1px solid #6b717b;border-radius:.5rem;background:#fff;color:#1b1d21}
input[type=checkbox]{width:1.25rem;height:1.25rem}
[aria-invalid=true]{border-color:#b3261e;border-width:2px}
.field-error{color:#b3261e;font-weight:600;margin:.25rem 0}
.form-actions{margin-top:1.25rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
.notice{border-left:.375rem solid;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;background:#fff}
.notice.success{border-color:#1d7a36;background:#e6f4ea}
.notice.error{border-color:#b3261e;background:#fce8e6}
.notice.info{border-color:#0b57d0;background:#e8f0fe}
.notice.warn{border-color:#7a4100;background:#fef3e0}
.notice h2{margin:0 0 .25rem;font-size:1rem}
.notice ul{margin:.25rem 0 0;padding-left:1.25rem}
.badge{display:inline-block;font-size:.875rem;font-weight:600;padding:.125rem .5rem;border-radius:1rem;white-space:nowrap}
.badge.ok{background:#e6f4ea;color:#1d5e2c}
.badge.warn{background:#fef3e0;color:#7a4100}
.badge.bad{background:#fce8e6;color:#8c1d18}
.badge.neutral{background:#eceff3;color:#33373d}
.copy{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.copy output,.copy code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#f0f2f5;border:1px solid #d8dce3;border-radius:.375rem;padding:.375rem .5rem;word-break:break-all}
.copy button{padding:.25rem .625rem;min-height:2rem}
.tabs{display:flex;gap:.25rem;border-bottom:1px solid #d8dce3;margin:0 0 1rem;padding:0;list-style:none}
.tabs a{display:block;padding:.5rem .875rem;text-decoration:none;border-bottom:3px solid transparent;color:#1b1d21}
.tabs a[aria-current=page]{border-bottom-color:#0b57d0;font-weight:600}
ul.tags{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}
ul.tags code{background:#eceff3;border-radius:.25rem;padding:.0625rem .375rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.375rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;min-width:0;word-break:break-word}
details.menu{position:relative}
details.menu>summary{list-style:none;cursor:pointer;font-weight:600;padding:.375rem .625rem;border:2px solid #0b57d0;border-radius:.5rem;color:#0b57d0;background:#fff}
details.menu>summary::-webkit-details-marker{display:none}
details.menu[open]>.menu-items{position:absolute;right:0;z-index:5;min-width:14rem;background:#fff;border:1px solid #d8dce3;border-radius:.5rem;box-shadow:0 4px 16px rgba(0,0,0,.12);padding:.5rem}
.menu-items a,.menu-items button{display:block;width:100%;text-align:left;margin:.125rem 0}
.menu-items button{background:#fff;color:#1b1d21;border-color:transparent;font-weight:400}
dialog{border:1px solid #d8dce3;border-radius:.75rem;width:calc(100% - 2rem);max-width:40rem;max-height:calc(100vh - 2rem);overflow:auto;padding:1.25rem;color:#1b1d21}
dialog::backdrop{background:rgba(0,0,0,.45)}
dialog h2{margin-top:0}
pre.snippet{background:#f0f2f5;border:1px solid #d8dce3;border-radius:.375rem;padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
@media (max-width:48rem){.shell{display:block}nav.side{border-right:0;border-bottom:1px solid #d8dce3}nav.side ul{display:flex;flex-wrap:wrap;gap:.25rem}main{padding:1rem}}
`;

/**
 * The console's one script, an enhancement only: every page works without it. Copy buttons,
 * the Add Application dialog, and a confirmation before destructive forms.
 */
export const CONSOLE_JS = `(() => {
  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-copy]');
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    // Only the visible word changes: the hidden rest keeps naming what is copied.
    const word = button.firstElementChild || button;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      word.textContent = 'Copied';
    } catch {
      word.textContent = 'Select it and copy';
    }
  });
  document.addEventListener('click', (event) => {
    const opener = event.target.closest('a[data-dialog]');
    if (opener) {
      const dialog = document.getElementById(opener.dataset.dialog);
      if (dialog && dialog.showModal) {
        event.preventDefault();
        dialog.showModal();
        const first = dialog.querySelector('input:not([type=hidden]), select, textarea');
        if (first) first.focus();
      }
      return;
    }
    const closer = event.target.closest('[data-dialog-close]');
    const open = closer && closer.closest('dialog');
    if (open) {
      event.preventDefault();
      open.close();
    }
  });
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  for (const button of document.querySelectorAll('button[data-copy]')) button.hidden = false;
})();
`;

const version = (text: string) => sha256Hex(text).then((h) => h.slice(0, 12));
let cssVersion: Promise<string> | undefined;
let jsVersion: Promise<string> | undefined;

/** Asset URLs carry a content hash, so they can be cached for a year and never go stale. */
export async function assetPaths() {
  cssVersion ??= version(CONSOLE_CSS);
  jsVersion ??= version(CONSOLE_JS);
  return { css: `/console/assets/console.${await cssVersion}.css`, js: `/console/assets/console.${await jsVersion}.js` };
}

const asset = (body: string, type: string) =>
  new Response(body, {
    headers: {
      'content-type': type,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    },
  });

// Any version is answered with the current file: a page cached from before a deploy still gets styles.
export const assetRoutes = new Hono<AppEnv>()
  .get('/:file{console\\.[0-9a-f]{12}\\.css}', () => asset(CONSOLE_CSS, 'text/css; charset=utf-8'))
  .get('/:file{console\\.[0-9a-f]{12}\\.js}', () => asset(CONSOLE_JS, 'text/javascript; charset=utf-8'));
