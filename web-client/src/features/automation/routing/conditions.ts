// Routing conditions: what each kind needs, how the editor holds one, and a sentence for it.

import type { RoutingConditionInput, RoutingConditionKind } from '../../../gql/graphql';

export type ConditionDraft = { kind: RoutingConditionKind; channelId: string | null; key: string; value: string; queueId: string | null };

export const CONDITION_KINDS: { value: RoutingConditionKind; label: string }[] = [
  { value: 'KEYWORD', label: 'Message has the word' },
  { value: 'PATTERN', label: 'Message matches the pattern' },
  { value: 'CHANNEL', label: 'Arrives on the channel' },
  { value: 'LANGUAGE', label: "Contact's language is" },
  { value: 'ATTRIBUTE', label: "Contact's attribute is" },
  { value: 'INSIDE_HOURS', label: 'A queue is inside its hours' },
  { value: 'OUTSIDE_HOURS', label: 'A queue is outside its hours' },
];

export function emptyCondition(kind: RoutingConditionKind = 'KEYWORD'): ConditionDraft {
  return { kind, channelId: null, key: '', value: '', queueId: null };
}

/** Only the fields the kind takes; the API refuses the others. */
export function conditionToInput(c: ConditionDraft): RoutingConditionInput {
  switch (c.kind) {
    case 'CHANNEL':
      return { kind: c.kind, channelId: c.channelId };
    case 'KEYWORD':
    case 'PATTERN':
    case 'LANGUAGE':
      return { kind: c.kind, value: c.value.trim() };
    case 'ATTRIBUTE':
      return { kind: c.kind, key: c.key, value: c.value };
    case 'INSIDE_HOURS':
    case 'OUTSIDE_HOURS':
      return c.queueId ? { kind: c.kind, queueId: c.queueId } : { kind: c.kind };
  }
}

/** What is missing before the condition can be saved, or null. */
export function conditionProblem(c: ConditionDraft): string | null {
  if (c.kind === 'CHANNEL' && !c.channelId) return 'Pick a channel';
  if ((c.kind === 'KEYWORD' || c.kind === 'PATTERN' || c.kind === 'LANGUAGE') && !c.value.trim()) return 'Fill in a value';
  if (c.kind === 'ATTRIBUTE' && (!c.key || !c.value)) return 'Pick an attribute and a value';
  return null;
}

type Names = { channels: Map<string, string>; queues: Map<string, string> };

/** `Message has the word "refund"`: one line per condition in the rule list. */
export function describeCondition(
  c: { kind: RoutingConditionKind; channelId?: string | null; key?: string | null; value?: string | null; queueId?: string | null },
  names: Names,
): string {
  switch (c.kind) {
    case 'KEYWORD':
      return `word “${c.value ?? ''}”`;
    case 'PATTERN':
      return `matches /${c.value ?? ''}/`;
    case 'CHANNEL':
      return `channel ${names.channels.get(c.channelId ?? '') ?? 'deleted channel'}`;
    case 'LANGUAGE':
      return `language ${c.value ?? ''}`;
    case 'ATTRIBUTE':
      return `${c.key ?? ''} = ${c.value ?? ''}`;
    case 'INSIDE_HOURS':
    case 'OUTSIDE_HOURS': {
      const queue = c.queueId ? (names.queues.get(c.queueId) ?? 'a deleted queue') : 'its queue';
      return `${queue} ${c.kind === 'INSIDE_HOURS' ? 'open' : 'closed'}`;
    }
  }
}
