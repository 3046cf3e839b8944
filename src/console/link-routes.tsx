import { Hono } from 'hono';
import type { AppDeps } from '../deps';
import { listIntegrations } from '../integrations/service';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { issuesToDetails, validationError } from '../lib/validate';
import { createLink, deleteLink, getLink, listLinks, updateLink } from '../links/service';
import { createLinkBody, listLinksQuery } from '../links/shapes';
import { parseTagLines } from '../lib/tags';
import type { ConsoleEnv } from './context';
import { fieldId, type FormValues, formList, formString, type Problems, problemsFrom } from './form';
import { type IntegrationChoice, LinkDetailPage, type LinkFormValues, LinkListPage, NewLinkPage } from './link-pages';
import { readForm, requireOrg, requireWriter } from './request';

const FIELDS: Record<string, { target: string; label: string }> = {
  name: { target: fieldId('name'), label: 'Link name' },
  'end_user.id': { target: fieldId('end_user.id'), label: 'End user ID' },
  'end_user.email': { target: fieldId('end_user.email'), label: 'Email' },
  'end_user.display_name': { target: fieldId('end_user.display_name'), label: 'Display name' },
  end_user: { target: fieldId('end_user.id'), label: 'End user' },
  integration_ids: { target: fieldId('integration_ids'), label: 'Integrations' },
  expires_in: { target: fieldId('expires_in'), label: 'Expires' },
  max_uses: { target: fieldId('max_uses'), label: 'Maximum uses' },
  redirect_url: { target: fieldId('redirect_url'), label: 'Redirect URL' },
  tags: { target: fieldId('tags'), label: 'Tags' },
};
const FALLBACK = { target: fieldId('name'), label: 'This form' };

export async function integrationChoices(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, orgId: string): Promise<IntegrationChoice[]> {
  const page = await listIntegrations(deps, orgId, { limit: 200 });
  return page.data.map((i) => ({ id: i.id, name: i.name }));
}

const namesOf = (choices: IntegrationChoice[]) => new Map(choices.map((i) => [i.id, i.name]));

function linkValues(form: FormValues): LinkFormValues {
  return {
    name: formString(form, 'name'),
    endUserId: formString(form, 'end_user_id'),
    endUserEmail: formString(form, 'end_user_email'),
    endUserName: formString(form, 'end_user_display_name'),
    integrationIds: formList(form, 'integration_ids'),
    expiresIn: formString(form, 'expires_in'),
    maxUses: formString(form, 'max_uses'),
    redirectUrl: formString(form, 'redirect_url'),
    tags: formString(form, 'tags'),
  };
}

/** A number field as the API takes it: a number when it reads as one, else the text (for the API's message). */
const numberOrText = (text: string) => (text === '' ? undefined : /^-?\d+$/.test(text) ? Number(text) : text);

function linkBody(v: LinkFormValues) {
  return {
    name: v.name,
    end_user: { id: v.endUserId, ...(v.endUserEmail ? { email: v.endUserEmail } : {}), ...(v.endUserName ? { display_name: v.endUserName } : {}) },
    ...(v.integrationIds.length > 0 ? { integration_ids: v.integrationIds } : {}),
    ...(v.expiresIn ? { expires_in: numberOrText(v.expiresIn) } : {}),
    ...(v.maxUses ? { max_uses: numberOrText(v.maxUses) } : {}),
    ...(v.redirectUrl ? { redirect_url: v.redirectUrl } : {}),
    ...(v.tags ? { tags: parseTagLines(v.tags) } : {}),
  };
}

const LINK_ID = '/:id{lnk_[A-Za-z0-9]+}';

function linkId(id: string): string {
  if (!idSchema('lnk').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such link.');
  return id;
}

export const linkConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', async (c) => {
    const org = requireOrg(c);
    const tag = c.req.query('tag')?.trim() ?? '';
    const query = listLinksQuery.safeParse({ limit: '200', ...(tag ? { tag } : {}) });
    if (!query.success) throw validationError(issuesToDetails(query.error, 'query'));
    const [page, choices] = await Promise.all([listLinks(c.var.deps, org.orgId, query.data), integrationChoices(c.var.deps, org.orgId)]);
    return c.html(<LinkListPage ctx={c.var.console} links={page.data} names={namesOf(choices)} tag={tag} />);
  })
  .get('/new', async (c) => {
    const org = requireOrg(c);
    const preset = c.req.query('integration_id');
    const values: LinkFormValues = {
      name: '',
      endUserId: c.req.query('end_user_id') ?? '',
      endUserEmail: '',
      endUserName: '',
      integrationIds: preset ? [preset] : [],
      expiresIn: '604800',
      maxUses: '',
      redirectUrl: '',
      tags: '',
    };
    return c.html(<NewLinkPage ctx={c.var.console} integrations={await integrationChoices(c.var.deps, org.orgId)} values={values} problems={[]} />);
  })
  .post('/new', async (c) => {
    const org = requireWriter(c);
    const values = linkValues(await readForm(c));
    const render = async (problems: Problems) =>
      c.html(<NewLinkPage ctx={c.var.console} integrations={await integrationChoices(c.var.deps, org.orgId)} values={values} problems={problems} />, 400);
    const parsed = createLinkBody.safeParse(linkBody(values));
    if (!parsed.success) return render(problemsFrom(issuesToDetails(parsed.error, 'body'), FIELDS, FALLBACK));
    try {
      const link = await createLink(c.var.deps, org.orgId, parsed.data);
      return c.redirect(`/console/links/${link.id}?done=created`, 303);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500)
        return render(problemsFrom(err.details ?? [{ location: 'body', field: 'name', message: err.message }], FIELDS, FALLBACK));
      throw err;
    }
  })
  .get(LINK_ID, async (c) => {
    const org = requireOrg(c);
    const [link, choices] = await Promise.all([getLink(c.var.deps, org.orgId, linkId(c.req.param('id'))), integrationChoices(c.var.deps, org.orgId)]);
    return c.html(<LinkDetailPage ctx={c.var.console} link={link} names={namesOf(choices)} done={c.req.query('done')} />);
  })
  .post(`${LINK_ID}/disabled`, async (c) => {
    const org = requireWriter(c);
    const disabled = formString(await readForm(c), 'disabled') === 'yes';
    const link = await updateLink(c.var.deps, org.orgId, linkId(c.req.param('id')), { disabled });
    return c.redirect(`/console/links/${link.id}?done=${disabled ? 'disabled' : 'enabled'}`, 303);
  })
  .post(`${LINK_ID}/delete`, async (c) => {
    const org = requireWriter(c);
    await deleteLink(c.var.deps.db, org.orgId, linkId(c.req.param('id')));
    return c.redirect('/console/links?done=deleted', 303);
  });
