const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What is wrong with a template's placeholders: unknown names and stray braces. */
export function placeholderProblems(text: string, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!allowed.includes(name)) {
      problems.push(`uses the unknown placeholder {{${name}}}; use ${allowed.map((p) => `{{${p}}}`).join(', ')}`);
    }
  }
  const rest = text.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('has a {{ or }} that is not part of a placeholder');
  return problems;
}

const CONTROL = /[\p{Cc}]/gu;

/**
 * Fills the placeholders in one pass, so a value that looks like a placeholder stays text.
 * Plain text: nothing is escaped. A subject is one header line, so `singleLine` turns any
 * control character in a value (a user's name, say) into a space.
 */
export function renderTemplate(text: string, values: Readonly<Record<string, string>>, singleLine = false): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name]! : whole;
    return singleLine ? value.replace(CONTROL, ' ') : value;
  });
}
