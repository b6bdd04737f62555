// Template placeholders: `{{1}}`, `{{2}}`… (positional) or `{{first_name}}` (Meta's named
// format), as the API reads them in a template's body.

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The body's placeholder keys, each once, in the order they first appear. */
export function placeholderKeys(body: string): string[] {
  const keys: string[] = [];
  for (const match of body.matchAll(PLACEHOLDER)) {
    if (!keys.includes(match[1])) keys.push(match[1]);
  }
  return keys;
}

/** A piece of filled-in text: literal, or a variable's value (or its key when none is given). */
export type TextPart = { text: string; variable?: string; missing?: boolean };

/** Splits `text` into literal parts and variables filled from `values` (by key). */
export function fillParts(text: string, values: Record<string, string | undefined>): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ text: text.slice(last, index) });
    const key = match[1];
    const value = values[key];
    if (value) parts.push({ text: value, variable: key });
    else parts.push({ text: `{{${key}}}`, variable: key, missing: true });
    last = index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** The text with every variable filled in (unfilled ones stay as placeholders). */
export function fillText(text: string, values: Record<string, string | undefined>): string {
  return fillParts(text, values)
    .map((p) => p.text)
    .join('');
}

/** Maps the examples given in placeholder order to their keys. */
export function valuesByKey(keys: string[], examples: (string | undefined)[]): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((key, i) => [key, examples[i]]));
}
