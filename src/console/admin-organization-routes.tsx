import { type Context, Hono } from 'hono';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { listQuery } from '../lib/pagination';
import { issuesToDetails } from '../lib/validate';
import { createOrganization, getOrganization, listOrganizations } from '../organizations/service';
import { createOrganizationBody } from '../organizations/shapes';
import { addMember, changeMemberRole, countMembers, listMembers, removeMember, setPlatformAdmin } from '../users/service';
import { addMemberBody, changeMemberBody } from '../users/shapes';
import { type AddUserValues, memberRoleFieldId, OrganizationPage, OrganizationsPage, organizationPath } from './admin-organization-pages';
import type { ConsoleEnv } from './context';
import { fieldId, formString, type Problems, problemsFrom } from './form';
import { readForm } from './request';
import { parkShownOnce } from './shown-once';

const NAME_FIELD = { target: fieldId('name'), label: 'Organization name' };
const ADD_USER_FIELDS = {
  email: { target: fieldId('email'), label: 'Email' },
  name: { target: fieldId('user_name'), label: 'Name' },
  role: { target: fieldId('role'), label: 'Role' },
};

async function organizationsPage(c: Context<ConsoleEnv>, problems: Problems = [], name = '', status: 200 | 400 = 200) {
  const { db } = c.var.deps;
  // A cursor that does not parse (an edited address) starts from the newest again.
  const query = listQuery.safeParse({ cursor: c.req.query('cursor') });
  const page = await listOrganizations(db, query.success ? query.data : { limit: 50 });
  const counts = await countMembers(
    db,
    page.data.map((o) => o.id),
  );
  const organizations = page.data.map((o) => ({ ...o, members: counts.get(o.id) ?? 0 }));
  return c.html(<OrganizationsPage ctx={c.var.console} organizations={organizations} nextCursor={page.next_cursor} problems={problems} name={name} />, status);
}

const noValues: AddUserValues = { email: '', name: '', role: '' };

async function organizationPage(c: Context<ConsoleEnv>, orgId: string, problems: Problems = [], values = noValues, status: 200 | 400 | 409 = 200) {
  const [organization, members] = await Promise.all([getOrganization(c.var.deps.db, orgId), listMembers(c.var.deps.db, orgId, { limit: 200 })]);
  return c.html(
    <OrganizationPage ctx={c.var.console} organization={organization} members={members.data} problems={problems} values={values} done={c.req.query('done')} />,
    status,
  );
}

/** The path's ids, or the console's 404 for ids that cannot exist. */
function orgIdOf(c: Context<ConsoleEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!idSchema('org').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such organization.');
  return id;
}

function userIdOf(c: Context<ConsoleEnv>): string {
  const id = c.req.param('userId') ?? '';
  if (!idSchema('usr').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such member.');
  return id;
}

/** A refusal the person can act on (409: the last owner, already a member) as a problem on the page. */
const refusalOf = (err: unknown, target: { target: string; label: string }): Problems | null =>
  err instanceof ApiError && err.status === 409 ? [{ ...target, message: err.message }] : null;

/** Operator: organizations, their members and roles, and who is a platform admin. */
export const adminOrganizationConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', (c) => organizationsPage(c))
  .post('/', async (c) => {
    const name = formString(await readForm(c), 'name');
    const parsed = createOrganizationBody.safeParse({ name });
    if (!parsed.success) return organizationsPage(c, problemsFrom(issuesToDetails(parsed.error, 'body'), { name: NAME_FIELD }, NAME_FIELD), name, 400);
    const created = await createOrganization(c.var.deps.db, parsed.data.name);
    return c.redirect(`${organizationPath(created.id)}?done=created`, 303);
  })
  .get('/:id', (c) => organizationPage(c, orgIdOf(c)))
  .post('/:id/users', async (c) => {
    const orgId = orgIdOf(c);
    const form = await readForm(c);
    const values = { email: formString(form, 'email'), name: formString(form, 'name'), role: formString(form, 'role') };
    const parsed = addMemberBody.safeParse({ email: values.email, role: values.role, ...(values.name ? { name: values.name } : {}) });
    if (!parsed.success) {
      return organizationPage(c, orgId, problemsFrom(issuesToDetails(parsed.error, 'body'), ADD_USER_FIELDS, ADD_USER_FIELDS.email), values, 400);
    }
    let added: Awaited<ReturnType<typeof addMember>>;
    try {
      added = await addMember(c.var.deps, orgId, parsed.data);
    } catch (err) {
      const problems = refusalOf(err, ADD_USER_FIELDS.email);
      if (problems) return organizationPage(c, orgId, problems, values, 409);
      throw err;
    }
    if (!added.set_password_url) return c.redirect(`${organizationPath(orgId)}?done=added`, 303);
    const ticket = await parkShownOnce(c.var.deps, c.var.console.viewer.userId, {
      title: `A set-password link for ${added.email}`,
      subject: added.email,
      items: [{ label: 'Set-password link (valid 24 hours, works once)', value: added.set_password_url, secret: true }],
      next: { href: organizationPath(orgId), label: 'Back to the organization' },
    });
    return c.redirect(`/console/shown-once/${ticket}`, 303);
  })
  .post('/:id/users/:userId/role', async (c) => {
    const [orgId, userId] = [orgIdOf(c), userIdOf(c)];
    const field = { target: memberRoleFieldId(userId), label: 'Role' };
    const parsed = changeMemberBody.safeParse({ role: formString(await readForm(c), 'role') });
    if (!parsed.success) return organizationPage(c, orgId, problemsFrom(issuesToDetails(parsed.error, 'body'), {}, field), noValues, 400);
    try {
      await changeMemberRole(c.var.deps.db, orgId, userId, parsed.data.role);
    } catch (err) {
      const problems = refusalOf(err, field);
      if (problems) return organizationPage(c, orgId, problems, noValues, 409);
      throw err;
    }
    return c.redirect(`${organizationPath(orgId)}?done=role`, 303);
  })
  .post('/:id/users/:userId/remove', async (c) => {
    const [orgId, userId] = [orgIdOf(c), userIdOf(c)];
    try {
      await removeMember(c.var.deps.db, orgId, userId);
    } catch (err) {
      const problems = refusalOf(err, { target: memberRoleFieldId(userId), label: 'Remove' });
      if (problems) return organizationPage(c, orgId, problems, noValues, 409);
      throw err;
    }
    return c.redirect(`${organizationPath(orgId)}?done=removed`, 303);
  })
  .post('/:id/users/:userId/platform-admin', async (c) => {
    const [orgId, userId] = [orgIdOf(c), userIdOf(c)];
    const value = formString(await readForm(c), 'is_platform_admin');
    if (value !== 'yes' && value !== 'no') throw new ApiError(400, 'validation_failed', 'is_platform_admin must be yes or no.');
    // Taking your own away here would lock you out of this page mid-task; another admin or the ADMIN_TOKEN API can.
    if (value === 'no' && userId === c.var.console.viewer.userId) {
      return organizationPage(
        c,
        orgId,
        [
          {
            target: memberRoleFieldId(userId),
            label: 'Platform admin',
            message: 'You cannot remove your own platform admin role here; another platform admin can.',
          },
        ],
        noValues,
        409,
      );
    }
    await setPlatformAdmin(c.var.deps.db, userId, value === 'yes');
    return c.redirect(`${organizationPath(orgId)}?done=${value === 'yes' ? 'admin-granted' : 'admin-revoked'}`, 303);
  });
