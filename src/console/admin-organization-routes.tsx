import { Hono } from 'hono';
import type { ConsoleEnv } from './context';
import { ConsolePage } from './layout';

// Placeholder until the page is built (issue 11).
export const adminOrganizationConsoleRoutes = new Hono<ConsoleEnv>().get('/', (c) =>
  c.html(
    <ConsolePage ctx={c.var.console} title="Organizations and users" section="admin-organizations" path={c.req.path}>
      <p>Not built yet.</p>
    </ConsolePage>,
  ),
);
