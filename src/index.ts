import { app } from './app';
import type { CloudflareBindings } from './env';
import { runScheduledJobs } from './jobs/run';

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    await runScheduledJobs(env, ctx, controller.scheduledTime);
  },
} satisfies ExportedHandler<CloudflareBindings>;
