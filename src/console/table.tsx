import type { Child } from 'hono/jsx';

/**
 * A console table: named for screen readers (caption and region), and a region that takes focus
 * so a keyboard can scroll it sideways where it is wider than a phone (WCAG 2.1.1).
 */
export function Table({ label, columns, children }: { label: string; columns: string[]; children: Child }) {
  return (
    <section class="table-wrap" aria-label={label} tabindex={0}>
      <table>
        <caption class="vh">{label}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </section>
  );
}
