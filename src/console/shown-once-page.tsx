import type { ConsoleContext } from './context';
import { CopyValue } from './form';
import { ConsolePage, type Section } from './layout';
import type { ShownOnce } from './shown-once';

/** The one time a secret is on screen; the page is sent no-store like every console page. */
export function ShownOncePage({ ctx, shown, section }: { ctx: ConsoleContext; shown: ShownOnce | null; section: Section }) {
  if (!shown) {
    return (
      <ConsolePage ctx={ctx} title="This secret was already shown" section={section} path="/console">
        <p>A secret is shown once only, on the page right after it was made. If you did not copy it, make a new one: rotate it where it was issued.</p>
        <p>
          <a href="/console">Back to the console</a>
        </p>
      </ConsolePage>
    );
  }
  return (
    <ConsolePage ctx={ctx} title={shown.title} section={section} path="/console">
      <div class="notice warn" role="status">
        <p>
          <strong>Copy the secret now.</strong> It is shown only this once: Edgelink keeps only a hash of it, so nobody can show it to you again.
        </p>
      </div>
      <section class="panel" aria-label={`Credentials of ${shown.subject}`}>
        {shown.items.map((item, n) => (
          <CopyValue id={`shown-${n}`} label={item.label} value={item.value} />
        ))}
      </section>
      <p>
        <a class="button" href={shown.next.href}>
          {shown.next.label}
        </a>
      </p>
    </ConsolePage>
  );
}
