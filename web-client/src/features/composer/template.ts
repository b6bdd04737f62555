// A template's placeholders (`{{1}}`, `{{first_name}}`) filled with the agent's values, for
// the preview and for `content.template.variables`.

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

/**
 * The body with each placeholder replaced by its value; a placeholder without one stays
 * visible as `{{key}}` so the preview shows what is left to fill.
 */
export function fillTemplate(body: string, values: Record<string, string>): string {
  return body.replace(PLACEHOLDER, (whole, key: string) => {
    const value = values[key];
    return value && value.trim() ? value : whole;
  });
}

/** The keys that still need a value. */
export function missingVariables(variables: string[], values: Record<string, string>): string[] {
  return variables.filter((key) => !values[key]?.trim());
}

/** `TemplateVariableInput`s in the template's order. */
export function variableInputs(variables: string[], values: Record<string, string>) {
  return variables.map((key) => ({ key, value: (values[key] ?? '').trim() }));
}

/** A label for a variable's field: `{{1}}` reads "Variable 1", `{{first_name}}` "first name". */
export function variableLabel(key: string): string {
  return /^\d+$/.test(key) ? `Variable ${key}` : key.replace(/[_.]/g, ' ');
}
