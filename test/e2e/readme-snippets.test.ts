import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The first ```js block after a README heading. */
function jsBlockAfter(readme: string, heading: string): string {
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no js block after ${heading}`);
  return match[1]!;
}

describe('README snippets', () => {
  // callback.test.ts runs this file against real redirects, so the README shows tested code.
  it('quotes the redirect verification exactly as test/e2e/helpers/verify-redirect.mjs has it', () => {
    expect(jsBlockAfter(read('README.md'), '### Links: how your users connect')).toBe(read('test/e2e/helpers/verify-redirect.mjs'));
  });
});
