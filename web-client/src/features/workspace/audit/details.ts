/**
 * An audit entry's details as one readable line: `key: value` pairs for an object, the JSON
 * for anything else; null when there is nothing to say.
 */
export function describeDetails(details: unknown): string | null {
  if (details === null || details === undefined) return null;
  if (typeof details === 'object' && !Array.isArray(details)) {
    const entries = Object.entries(details as Record<string, unknown>);
    if (entries.length === 0) return null;
    return entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
  }
  return typeof details === 'string' ? details : JSON.stringify(details);
}
