import { app } from './app';
import { buildDeps } from './deps';
import type { CloudflareBindings } from './env';
import { runScheduledJobs } from './jobs/run';

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    await runScheduledJobs(await buildDeps(env, (promise) => ctx.waitUntil(promise)), controller.scheduledTime);
  },
} satisfies ExportedHandler<CloudflareBindings>;
