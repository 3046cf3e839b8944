import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { nameField, timestamp } from '../lib/shapes';
import { ROLES } from './schema';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Trimmed and lower-cased before it is checked, so sign-in and uniqueness ignore case. */
export const emailField = z.string().trim().toLowerCase().max(254, 'must be at most 254 characters').pipe(z.email('must be an email address'));

export const passwordField = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const roleField = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

export const addMemberBody = z.strictObject({
  email: emailField,
  name: nameField.optional(),
  role: roleField,
  password: passwordField.optional().describe('For a new user only. Without it, the response carries a one-time set_password_url.'),
});

export const memberObject = z
  .object({
    user_id: idSchema('usr'),
    organization_id: idSchema('org'),
    email: z.string(),
    name: z.string().nullable(),
    role: roleField,
    has_password: z.boolean().describe('False until the user has chosen a password.'),
    is_platform_admin: z.boolean().describe('Platform admins see the operator pages of the console (/console/admin).'),
    created_at: timestamp.describe('When the user joined this organization.'),
  })
  .meta({ id: 'Member' });

export const createdMemberObject = memberObject
  .extend({
    set_password_url: z.string().nullable().describe('A one-time link (24 h) for a user without a password. Shown only in this response.'),
    set_password_expires_at: timestamp.nullable(),
  })
  .meta({ id: 'CreatedMember' });

export const memberParam = z.strictObject({ id: idSchema('org'), userId: idSchema('usr') });

export const changeMemberBody = z.strictObject({ role: roleField });

export const userIdParam = z.strictObject({ id: idSchema('usr') });

export const updateUserBody = z.strictObject({
  is_platform_admin: z.boolean({ error: 'must be true or false' }).describe('true makes the user a platform admin; false takes it away.'),
});

export const userObject = z
  .object({
    id: idSchema('usr'),
    email: z.string(),
    name: z.string().nullable(),
    is_platform_admin: z.boolean(),
    has_password: z.boolean(),
    created_at: timestamp,
  })
  .meta({ id: 'User' });

export type AddMemberBody = z.output<typeof addMemberBody>;
export type UpdateUserBody = z.output<typeof updateUserBody>;
export type UserObject = z.output<typeof userObject>;
export type MemberObject = z.output<typeof memberObject>;
export type CreatedMemberObject = z.output<typeof createdMemberObject>;
