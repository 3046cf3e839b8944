import type { OrganizationObject } from '../organizations/shapes';
import { ROLES } from '../users/schema';
import type { MemberObject } from '../users/shapes';
import type { ConsoleContext } from './context';
import { ErrorSummary, fieldId, type Problems, problemFor, TextField } from './form';
import { ConsolePage, CsrfField } from './layout';
import { Table } from './table';

export const ORGANIZATIONS_PATH = '/console/admin/organizations';
export const organizationPath = (id: string) => `${ORGANIZATIONS_PATH}/${id}`;

const when = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;
const ROLE_LABELS = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

function Done({ messages, done }: { messages: Record<string, string>; done?: string }) {
  return done && messages[done] ? (
    <p class="notice success" role="status">
      {messages[done]}
    </p>
  ) : null;
}

export interface OrganizationsPageProps {
  ctx: ConsoleContext;
  organizations: (OrganizationObject & { members: number })[];
  nextCursor: string | null;
  problems: Problems;
  name: string;
}

export function OrganizationsPage({ ctx, organizations, nextCursor, problems, name }: OrganizationsPageProps) {
  return (
    <ConsolePage ctx={ctx} title="Organizations and users" section="admin-organizations" path={ORGANIZATIONS_PATH}>
      <ErrorSummary problems={problems} />
      <form method="post" action={ORGANIZATIONS_PATH} class="panel" novalidate>
        <h2>Create an organization</h2>
        <CsrfField ctx={ctx} />
        <TextField id={fieldId('name')} name="name" label="Organization name" value={name} problems={problems} required />
        <div class="form-actions">
          <button type="submit">Create organization</button>
        </div>
      </form>
      <h2>Organizations</h2>
      {organizations.length === 0 ? (
        <p>No organizations yet.</p>
      ) : (
        <Table label="Organizations" columns={['Name', 'ID', 'Created', 'Members']}>
          {organizations.map((org) => (
            <tr>
              <td>
                <a href={organizationPath(org.id)}>{org.name}</a>
              </td>
              <td>
                <code>{org.id}</code>
              </td>
              <td>{when(org.created_at)}</td>
              <td>{org.members}</td>
            </tr>
          ))}
        </Table>
      )}
      {nextCursor ? (
        <p>
          <a href={`${ORGANIZATIONS_PATH}?cursor=${encodeURIComponent(nextCursor)}`}>Older organizations</a>
        </p>
      ) : null}
    </ConsolePage>
  );
}

export interface AddUserValues {
  email: string;
  name: string;
  role: string;
}

export interface OrganizationPageProps {
  ctx: ConsoleContext;
  organization: OrganizationObject;
  members: MemberObject[];
  problems: Problems;
  values: AddUserValues;
  done?: string;
}

const DONE: Record<string, string> = {
  created: 'The organization was created. Add its first owner below.',
  added: 'The user was added. They sign in with the password they already have.',
  role: 'The role was changed.',
  removed: 'The member was removed from this organization; their account stays.',
  'admin-granted': 'The user is a platform admin now: they see the operator pages after signing in.',
  'admin-revoked': 'The user is no longer a platform admin.',
};

function RoleSelect({ id, name, value, problems, label }: { id: string; name: string; value: string; problems: Problems; label: string }) {
  const errors = problemFor(problems, id);
  return (
    <div>
      <label for={id}>{label}</label>
      {errors.length > 0 ? (
        <p class="field-error" id={`${id}-error`}>
          {errors.join(' ')}
        </p>
      ) : null}
      <select id={id} name={name} aria-describedby={errors.length > 0 ? `${id}-error` : undefined} aria-invalid={errors.length > 0 ? 'true' : undefined}>
        {ROLES.map((role) => (
          <option value={role} selected={role === value}>
            {ROLE_LABELS[role]}
          </option>
        ))}
      </select>
    </div>
  );
}

export const memberRoleFieldId = (userId: string) => `role-${userId}`;

function MemberActions({ ctx, orgId, member, problems }: { ctx: ConsoleContext; orgId: string; member: MemberObject; problems: Problems }) {
  const who = member.name ?? member.email;
  const base = `${organizationPath(orgId)}/users/${member.user_id}`;
  const isSelf = member.user_id === ctx.viewer.userId;
  return (
    <div class="form-actions">
      <form method="post" action={`${base}/role`}>
        <CsrfField ctx={ctx} />
        <RoleSelect id={memberRoleFieldId(member.user_id)} name="role" value={member.role} problems={problems} label={`Role of ${who}`} />
        <button type="submit" class="secondary">
          Change role<span class="vh"> of {who}</span>
        </button>
      </form>
      {member.is_platform_admin && isSelf ? null : (
        <form method="post" action={`${base}/platform-admin`}>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="is_platform_admin" value={member.is_platform_admin ? 'no' : 'yes'} />
          <button type="submit" class="secondary">
            {member.is_platform_admin ? 'Remove platform admin' : 'Make platform admin'}
            <span class="vh"> {who}</span>
          </button>
        </form>
      )}
      <form method="post" action={`${base}/remove`} data-confirm={`Remove ${who} from this organization? Their account stays.`}>
        <CsrfField ctx={ctx} />
        <button type="submit" class="danger">
          Remove<span class="vh"> {who} from this organization</span>
        </button>
      </form>
    </div>
  );
}

export function OrganizationPage({ ctx, organization, members, problems, values, done }: OrganizationPageProps) {
  const path = organizationPath(organization.id);
  return (
    <ConsolePage ctx={ctx} title={organization.name} section="admin-organizations" path={path}>
      <p>
        <a href={ORGANIZATIONS_PATH}>All organizations</a>
      </p>
      <Done done={done} messages={DONE} />
      <ErrorSummary problems={problems} />
      <dl class="facts">
        <dt>ID</dt>
        <dd>
          <code>{organization.id}</code>
        </dd>
        <dt>Created</dt>
        <dd>{when(organization.created_at)}</dd>
      </dl>
      <h2>Members</h2>
      {members.length === 0 ? (
        <p>No members yet.</p>
      ) : (
        <Table label={`Members of ${organization.name}`} columns={['Name', 'Email', 'Role', 'Password', 'Platform admin', 'Actions']}>
          {members.map((m) => (
            <tr>
              <td>{m.name ?? <span class="muted">No name</span>}</td>
              <td>{m.email}</td>
              <td>{ROLE_LABELS[m.role]}</td>
              <td>{m.has_password ? 'Set' : <span class="badge neutral">Not chosen yet</span>}</td>
              <td>{m.is_platform_admin ? <span class="badge ok">Platform admin</span> : 'No'}</td>
              <td>
                <MemberActions ctx={ctx} orgId={organization.id} member={m} problems={problems} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <form method="post" action={`${path}/users`} class="panel" novalidate>
        <h2>Add a user</h2>
        <CsrfField ctx={ctx} />
        <TextField
          id={fieldId('email')}
          name="email"
          type="email"
          label="Email"
          hint="Someone new gets a set-password link, shown once on the next page. Someone with an account joins with the password they have."
          value={values.email}
          problems={problems}
          autocomplete="off"
          required
        />
        <TextField id={fieldId('user_name')} name="name" label="Name" value={values.name} problems={problems} />
        <RoleSelect id={fieldId('role')} name="role" value={values.role || 'member'} problems={problems} label="Role" />
        <div class="form-actions">
          <button type="submit">Add user</button>
        </div>
      </form>
    </ConsolePage>
  );
}
