import { checkOutboundUrl, type OutboundPolicy } from '../lib/outbound-url';
import { templatedUrlFields } from './definition-rules';
import type { OfferingFields } from './fields';
import { inputValueProblem } from './inputs';
import { fillTemplate, listPlaceholders } from './template';

/**
 * The URLs an organization's own input values make (a server address of its choosing), checked
 * under the outbound-URL policy before anything is stored, so a private host is a 400 naming
 * the input, not a failed call later. Templates that also need an end user's value, or
 * PUBLIC_URL, are checked when those are known.
 */
export function integrationInputUrlProblems(
  offering: Pick<OfferingFields, 'inputs' | 'verify' | (typeof templatedUrlFields)[number]>,
  given: Readonly<Record<string, string>>,
  policy: OutboundPolicy,
): { key: string; message: string }[] {
  const byKey = new Map(offering.inputs.map((input) => [input.key, input]));
  const problems: { key: string; message: string }[] = [];
  const templates: [string, string | undefined][] = [
    ...templatedUrlFields.map((f): [string, string | undefined] => [f, offering[f]]),
    ['verify.url', offering.verify?.url],
  ];
  for (const [field, template] of templates) {
    if (template === undefined) continue;
    const names = listPlaceholders(template);
    const own = names.map((name) => byKey.get(name)).filter((input) => input?.source === 'integration');
    if (own.length === 0 || own.length !== names.length) continue;
    const values: Record<string, string> = {};
    for (const input of own) {
      const value = given[input!.key] || input!.default;
      if (value === undefined || inputValueProblem(input!, value) !== null) break;
      values[input!.key] = value;
    }
    if (Object.keys(values).length !== own.length) continue;
    const result = checkOutboundUrl(fillTemplate(template, values), policy);
    if (!result.ok) problems.push({ key: own[0]!.key, message: `makes the ${field} URL ${result.message}` });
  }
  return problems;
}
