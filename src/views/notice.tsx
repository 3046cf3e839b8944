import { Page } from './layout';

export type NoticeTone = 'success' | 'error' | 'info';

export interface NoticeProps {
  title: string;
  message: string;
  tone: NoticeTone;
  /** One way on, e.g. back to the link page or to the app that sent the user. */
  action?: { href: string; label: string };
  /** Shown above the content, e.g. the organization's name. */
  context?: string;
}

const MARK: Record<NoticeTone, string> = { success: '✓', error: '!', info: 'i' };

/** Our own paths and http(s) URLs only: an href is never a `javascript:` or `data:` URL. */
function isSafeHref(href: string): boolean {
  return (href.startsWith('/') && !href.startsWith('//')) || /^https?:\/\//i.test(href);
}

/** A whole result or error page: a heading, one message, at most one action. */
export function Notice({ title, message, tone, action, context }: NoticeProps) {
  return (
    <Page title={title} context={context}>
      {/* role=alert makes screen readers announce failures at once; status is polite. */}
      <div class={`notice ${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
        <p>
          <span aria-hidden="true">{MARK[tone]} </span>
          {message}
        </p>
      </div>
      {action && isSafeHref(action.href) ? (
        <p>
          <a class="button" href={action.href}>
            {action.label}
          </a>
        </p>
      ) : null}
    </Page>
  );
}
