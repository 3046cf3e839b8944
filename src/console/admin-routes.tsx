import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { adminOfferingConsoleRoutes } from './admin-offering-routes';
import { adminOrganizationConsoleRoutes } from './admin-organization-routes';
import { adminPublishConsoleRoutes } from './admin-publish-routes';
import type { ConsoleEnv } from './context';
import { requirePlatformAdmin } from './request';

const platformAdminsOnly = createMiddleware<ConsoleEnv>(async (c, next) => {
  requirePlatformAdmin(c);
  await next();
});

/** The operator's pages, under /console/admin: platform admins only. */
export const adminConsoleRoutes = new Hono<ConsoleEnv>()
  .use(platformAdminsOnly)
  .get('/', (c) => c.redirect('/console/admin/offerings', 303))
  .route('/offerings', adminOfferingConsoleRoutes)
  .route('/publish-requests', adminPublishConsoleRoutes)
  .route('/organizations', adminOrganizationConsoleRoutes);
