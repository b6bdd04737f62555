// Turning a contact's attribute values into an `updateContact` input: only what changed,
// an emptied field as null (which clears it).

import type { ContactAttributeValueInput } from '../../../gql/graphql';

export type AttributeValues = Record<string, string>;

export function valuesByKey(attributes: { key: string; value: string }[]): AttributeValues {
  return Object.fromEntries(attributes.map((a) => [a.key, a.value]));
}

export function changedAttributes(before: AttributeValues, after: AttributeValues): ContactAttributeValueInput[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changes: ContactAttributeValueInput[] = [];
  for (const key of [...keys].sort()) {
    const was = before[key] ?? '';
    const now = (after[key] ?? '').trim();
    if (was === now) continue;
    changes.push({ key, value: now === '' ? null : now });
  }
  return changes;
}
