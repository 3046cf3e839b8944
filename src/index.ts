import { app } from './app';
import type { CloudflareBindings } from './env';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<CloudflareBindings>;
