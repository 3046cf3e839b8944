import { type Context, Hono } from 'hono';
import { decidePublish, reviewQueue } from '../applications/publish';
import { publishDecisionBody } from '../applications/shapes';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { issuesToDetails } from '../lib/validate';
import { PUBLISH_REQUESTS_PATH, PublishRequestsPage, reasonFieldId } from './admin-publish-pages';
import type { ConsoleEnv } from './context';
import { formString, type Problems, problemsFrom } from './form';
import { readForm } from './request';

/** How many decided requests the page shows: enough to see what just happened. */
const RECENT_DECISIONS = 20;

async function publishRequestsPage(c: Context<ConsoleEnv>, problems: Problems = [], reasons: Record<string, string> = {}, status: 200 | 400 | 409 = 200) {
  const queue = await reviewQueue(c.var.deps.db, { pending: 200, decided: RECENT_DECISIONS });
  return c.html(
    <PublishRequestsPage
      ctx={c.var.console}
      pending={queue.pending}
      decided={queue.decided}
      problems={problems}
      reasons={reasons}
      done={c.req.query('done')}
    />,
    status,
  );
}

function applicationIdOf(c: Context<ConsoleEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!idSchema('app').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such application.');
  return id;
}

/** A decision through the API's schema and service; what they refuse (no reason, already decided) is shown on the page. */
async function decide(c: Context<ConsoleEnv>, decision: 'approve' | 'reject') {
  const id = applicationIdOf(c);
  const reason = decision === 'reject' ? formString(await readForm(c), 'reason') : '';
  const reasonField = { target: reasonFieldId(id), label: 'Reason for rejecting' };
  const parsed = publishDecisionBody.safeParse({ decision, ...(reason ? { reason } : {}) });
  if (!parsed.success) return publishRequestsPage(c, problemsFrom(issuesToDetails(parsed.error, 'body'), {}, reasonField), { [id]: reason }, 400);
  try {
    await decidePublish(c.var.deps, id, parsed.data);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500 || err.status === 404) throw err;
    // 409: decided meanwhile (another operator, or a second click), so its form is gone from the page.
    if (err.status === 409) return publishRequestsPage(c, [{ target: 'main', label: 'Publish request', message: err.message }], {}, 409);
    return publishRequestsPage(c, problemsFrom(err.details ?? [{ location: 'body', field: '', message: err.message }], {}, reasonField), { [id]: reason }, 400);
  }
  return c.redirect(`${PUBLISH_REQUESTS_PATH}?done=${decision === 'approve' ? 'approved' : 'rejected'}`, 303);
}

/** Operator: publish requests (seed 004, Close), approved or rejected with the API's service. */
export const adminPublishConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', (c) => publishRequestsPage(c))
  .post('/:id/approve', (c) => decide(c, 'approve'))
  .post('/:id/reject', (c) => decide(c, 'reject'));
