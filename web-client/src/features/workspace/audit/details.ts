const MAX = 140;

function clip(s: string): string {
  return s.length > MAX ? `${s.slice(0, MAX)}…` : s;
}

/**
 * An audit entry's details as readable `key: value` lines (each value clipped, so a whole
 * keyword list does not flood the table); null when there is nothing to say.
 */
export function describeDetails(details: unknown): { key: string; value: string; full: string }[] | null {
  if (details === null || details === undefined) return null;
  if (typeof details === 'object' && !Array.isArray(details)) {
    const entries = Object.entries(details as Record<string, unknown>);
    if (entries.length === 0) return null;
    return entries.map(([key, v]) => {
      const full = typeof v === 'string' ? v : JSON.stringify(v);
      return { key, value: clip(full), full };
    });
  }
  const full = typeof details === 'string' ? details : JSON.stringify(details);
  return [{ key: '', value: clip(full), full }];
}
