import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { nameField, timestamp } from '../lib/shapes';

export const organizationObject = z.object({ id: idSchema('org'), name: z.string(), created_at: timestamp }).meta({ id: 'Organization' });

export const createOrganizationBody = z.strictObject({ name: nameField });

export const organizationIdParam = z.strictObject({ id: idSchema('org') });

export type OrganizationObject = z.output<typeof organizationObject>;
