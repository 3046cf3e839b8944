import type { Context } from 'hono';
import { ApiError } from '../lib/errors';
import type { ViewerMembership } from '../users/viewer';
import type { ConsoleEnv } from './context';
import type { FormValues } from './form';

/** The organization the page is for; someone in none yet gets a page that says so. */
export function requireOrg(c: Context<ConsoleEnv>): ViewerMembership {
  const { org } = c.var.console;
  if (!org) throw new ApiError(403, 'no_organization', 'Your account does not belong to an organization yet. Ask an owner to add you.');
  return org;
}

/** Changes are for owners and admins; the pages show members no forms, so only a crafted POST lands here. */
export function requireWriter(c: Context<ConsoleEnv>): ViewerMembership {
  const org = requireOrg(c);
  if (!c.var.console.canWrite) throw new ApiError(403, 'forbidden', `You are a member of ${org.orgName}: only an owner or admin can change this.`);
  return org;
}

/**
 * Operator pages are for platform admins (`users.is_platform_admin`); anyone else gets the
 * console's 404, so the pages' existence is not advertised.
 */
export function requirePlatformAdmin(c: Context<ConsoleEnv>): void {
  if (!c.var.console.viewer.isPlatformAdmin) throw new ApiError(404, 'not_found', 'There is no such page in the console.');
}

/** The posted form's text fields (files are not ours), every value of a repeated name kept. */
export async function readForm(c: Context<ConsoleEnv>): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    values[key] = texts.length === 1 ? texts[0]! : texts;
  }
  return values;
}
