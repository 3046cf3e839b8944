import type { Offering } from '../offerings/service';
import type { ConsoleContext } from './context';
import { ErrorSummary, type Problems } from './form';
import { ConsolePage, CsrfField } from './layout';
import { OfferingFields } from './offering-form';
import { type OfferingFormValues, typeLabel } from './offering-form-values';
import { Table } from './table';

export const ADMIN_OFFERINGS_PATH = '/console/admin/offerings';

const DONE: Record<string, string> = {
  created: 'The shared offering was created.',
  saved: 'The offering was saved.',
  enabled: 'The offering was enabled.',
  disabled: 'The offering was disabled: no new integrations can use it; existing ones keep connecting.',
};

/** Seed 001: "Offerings are managed by platform admins": the catalog and the shared custom ones. */
export function AdminOfferingListPage({ ctx, offerings, done }: { ctx: ConsoleContext; offerings: Offering[]; done?: string }) {
  const message = done ? DONE[done] : undefined;
  return (
    <ConsolePage
      ctx={ctx}
      title="Offerings"
      section="admin-offerings"
      path={ADMIN_OFFERINGS_PATH}
      heading={
        <div class="toolbar">
          <h1>Offerings</h1>
          <a class="button" href={`${ADMIN_OFFERINGS_PATH}/create`}>
            Add Shared Offering
          </a>
        </div>
      }
    >
      {message ? (
        <p class="notice success" role="status">
          {message}
        </p>
      ) : null}
      <p class="muted">Every organization may build integrations on these. Organizations' own authorizations are theirs and are not listed here.</p>
      <Table label="Offerings" columns={['Name', 'Source', 'Type', 'Status', 'Actions']}>
        {offerings.map((o) => {
          const d = o.definition;
          return (
            <tr>
              <td>
                {o.source === 'custom' ? <a href={`${ADMIN_OFFERINGS_PATH}/${d.id}`}>{d.name}</a> : d.name} <code class="muted">{d.id}</code>
              </td>
              <td>{o.source === 'catalog' ? 'Catalog' : 'Shared custom'}</td>
              <td>{typeLabel(d.auth_mode)}</td>
              <td>{o.enabled ? <span class="badge ok">Enabled</span> : <span class="badge neutral">Disabled</span>}</td>
              <td>
                <form method="post" action={`${ADMIN_OFFERINGS_PATH}/${d.id}/enabled`}>
                  <CsrfField ctx={ctx} />
                  <input type="hidden" name="enabled" value={o.enabled ? 'no' : 'yes'} />
                  <button type="submit" class="secondary">
                    {o.enabled ? 'Disable' : 'Enable'}
                    <span class="vh"> {d.name}</span>
                  </button>
                </form>
              </td>
            </tr>
          );
        })}
      </Table>
    </ConsolePage>
  );
}

export interface AdminOfferingFormPageProps {
  ctx: ConsoleContext;
  /** The shared offering being edited; absent: a new one. */
  offering?: Offering;
  values: OfferingFormValues;
  problems: Problems;
}

/** Creates or edits a shared custom offering, with the Authorizations page's form (no client: integrations hold that). */
export function AdminOfferingFormPage({ ctx, offering, values, problems }: AdminOfferingFormPageProps) {
  const path = offering ? `${ADMIN_OFFERINGS_PATH}/${offering.definition.id}` : `${ADMIN_OFFERINGS_PATH}/create`;
  const title = offering ? offering.definition.name : 'Add Shared Offering';
  return (
    <ConsolePage ctx={ctx} title={title} section="admin-offerings" path={path}>
      <p class="muted">
        <a href={ADMIN_OFFERINGS_PATH}>Offerings</a> / {title}
      </p>
      <ErrorSummary problems={problems} />
      <form method="post" action={path} class="panel" novalidate>
        <CsrfField ctx={ctx} />
        <OfferingFields values={values} problems={problems} mode={offering ? 'edit' : 'create'} withClient={false} />
        <div class="form-actions">
          <button type="submit" name="action" value="save">
            {offering ? 'Save Offering' : 'Create Offering'}
          </button>
          <a href={ADMIN_OFFERINGS_PATH}>Cancel</a>
        </div>
      </form>
    </ConsolePage>
  );
}
