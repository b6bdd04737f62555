// The variables a quick reply's text may name, and how to find them in a text.

export const BUILT_IN_VARIABLES = ['contact.name', 'contact.phone', 'agent.name', 'agent.email'];

/** Every `{{name}}` the text names, in order, once each (the API answers the same list). */
export function variablesIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\{\{\s*([^{}]+?)\s*\}\}/g)) {
    if (!found.includes(match[1])) found.push(match[1]);
  }
  return found;
}

/** Names the API would refuse: not built in and not a defined attribute key. */
export function unknownVariables(text: string, attributeKeys: string[]): string[] {
  const allowed = new Set([...BUILT_IN_VARIABLES, ...attributeKeys.map((k) => `contact.${k}`)]);
  return variablesIn(text).filter((v) => !allowed.has(v));
}
