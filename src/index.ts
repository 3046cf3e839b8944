import { app } from './app';
import { buildDeps } from './deps';
import type { CloudflareBindings } from './env';
import { serveHot } from './hot-routes';
import { runScheduledJobs } from './jobs/run';
import { servedWhereWritten } from './lib/d1-session';

export default {
  async fetch(request: Request, env: CloudflareBindings, ctx: ExecutionContext) {
    return (await serveHot(request, env, ctx)) ?? servedWhereWritten(request, async (r) => app.fetch(r, env, ctx));
  },
  async scheduled(controller, env, ctx) {
    await runScheduledJobs(await buildDeps(env, (promise) => ctx.waitUntil(promise)), controller.scheduledTime);
  },
} satisfies ExportedHandler<CloudflareBindings>;
