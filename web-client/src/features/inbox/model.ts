// Pure helpers of the inbox: names, previews, filters and the timeline's arrangement
// (reactions ride on the bubble they react to instead of standing alone).

import type {
  ConversationFilter,
  ConversationStatus,
  InboxTimelineQuery,
  InboxMessageFieldsFragment,
} from '../../gql/graphql';

export type ContactLike = { name?: string | null; profileName?: string | null; phoneNumber: string };

export function contactName(contact: ContactLike): string {
  return contact.name || contact.profileName || contact.phoneNumber;
}

type PreviewMessage = { direction: string; text?: string | null; content: { __typename?: string } };

const KIND_LABEL: Record<string, string> = {
  MediaContent: 'Media',
  LocationContent: 'Location',
  ContactsContent: 'Contact card',
  ButtonsContent: 'Buttons',
  ListContent: 'List',
  ButtonReplyContent: 'Button reply',
  ListReplyContent: 'List reply',
  TemplateButtonContent: 'Button reply',
  ReactionContent: 'Reaction',
  OrderContent: 'Order',
  FlowReplyContent: 'Form reply',
  SystemContent: 'System message',
  UnsupportedContent: 'Unsupported message',
  TemplateContent: 'Template',
};

/** One line for the list: the text, else what kind of message it was; "You: " for ours. */
export function messagePreview(message: PreviewMessage | undefined | null): string {
  if (!message) return 'No messages yet';
  const kind = message.content.__typename ?? '';
  const body = message.text?.trim() || (KIND_LABEL[kind] ? `[${KIND_LABEL[kind]}]` : '');
  return message.direction === 'OUTBOUND' ? `You: ${body}` : body;
}

export type Scope = 'all' | 'mine' | 'unassigned';

export type InboxFilters = {
  scope: Scope;
  status: ConversationStatus | null;
  queueId: string | null;
  labelIds: string[];
};

export const DEFAULT_FILTERS: InboxFilters = { scope: 'all', status: null, queueId: null, labelIds: [] };

/** The API's filter for the list's controls. */
export function toConversationFilter(filters: InboxFilters, userId: string): ConversationFilter {
  const filter: ConversationFilter = {};
  if (filters.scope === 'mine') filter.assigneeId = userId;
  if (filters.scope === 'unassigned') filter.assigned = false;
  if (filters.status) filter.status = filters.status;
  if (filters.queueId) filter.queueId = filters.queueId;
  if (filters.labelIds.length) filter.labelIds = filters.labelIds;
  return filter;
}

export const STATUS_COLOR: Record<ConversationStatus, string> = {
  OPEN: 'blue',
  ASSIGNED: 'teal',
  PENDING: 'yellow',
  RESOLVED: 'gray',
};

export const STATUS_LABEL: Record<ConversationStatus, string> = {
  OPEN: 'Waiting',
  ASSIGNED: 'Assigned',
  PENDING: 'Snoozed',
  RESOLVED: 'Resolved',
};

export type TimelineNode = NonNullable<InboxTimelineQuery['conversation']>['timeline']['nodes'][number];
export type TimelineMessage = Extract<TimelineNode, { __typename: 'Message' }>;
export type TimelineNote = Extract<TimelineNode, { __typename: 'ConversationNote' }>;
export type TimelineChange = Extract<TimelineNode, { __typename: 'ConversationChange' }>;

export type Reaction = { emoji: string; fromCustomer: boolean };

export type TimelineItem =
  | { kind: 'message'; key: string; message: InboxMessageFieldsFragment; reactions: Reaction[] }
  | { kind: 'note'; key: string; note: TimelineNote }
  | { kind: 'change'; key: string; change: TimelineChange };

/**
 * The timeline as it is drawn: reactions attach to the message they name (by provider id;
 * the latest reaction of each side wins, a removed one clears it); one whose message is not
 * in view stays a small bubble of its own.
 */
export function arrangeTimeline(nodes: TimelineNode[]): TimelineItem[] {
  const byProviderId = new Map<string, InboxMessageFieldsFragment>();
  for (const node of nodes) {
    if (node.__typename === 'Message' && node.providerMessageId) byProviderId.set(node.providerMessageId, node);
  }
  const reactions = new Map<string, Map<string, string | null>>();
  const items: TimelineItem[] = [];
  nodes.forEach((node, index) => {
    if (node.__typename === 'Message') {
      const content = node.content;
      if (content.__typename === 'ReactionContent' && byProviderId.has(content.messageId)) {
        const sides = reactions.get(content.messageId) ?? new Map<string, string | null>();
        sides.set(node.direction, content.emoji ?? null);
        reactions.set(content.messageId, sides);
        return;
      }
      items.push({ kind: 'message', key: node.id, message: node, reactions: [] });
    } else if (node.__typename === 'ConversationNote') {
      items.push({ kind: 'note', key: `note-${node.id}`, note: node });
    } else if (node.__typename === 'ConversationChange') {
      items.push({ kind: 'change', key: `change-${index}-${node.at}`, change: node });
    }
  });
  for (const item of items) {
    if (item.kind !== 'message' || !item.message.providerMessageId) continue;
    const sides = reactions.get(item.message.providerMessageId);
    if (!sides) continue;
    for (const [direction, emoji] of sides) {
      if (emoji) item.reactions.push({ emoji, fromCustomer: direction === 'INBOUND' });
    }
  }
  return items;
}

/** A link to OpenStreetMap centred on the coordinates. */
export function osmLink(latitude: number, longitude: number): string {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
}

/** Snooze presets, counted from `now` in the viewer's zone. */
export function snoozePresets(now = new Date()): { label: string; until: Date }[] {
  const inHours = (h: number) => new Date(now.getTime() + h * 3_600_000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const nextWeek = new Date(now);
  nextWeek.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  nextWeek.setHours(9, 0, 0, 0);
  return [
    { label: '1 hour', until: inHours(1) },
    { label: '4 hours', until: inHours(4) },
    { label: 'Tomorrow 9:00', until: tomorrow },
    { label: 'Next Monday 9:00', until: nextWeek },
  ];
}

/** The neighbour of `current` in `ids` (j: +1, k: -1), staying at the ends. */
export function neighbour(ids: string[], current: string | undefined, step: 1 | -1): string | undefined {
  if (ids.length === 0) return undefined;
  const at = current ? ids.indexOf(current) : -1;
  if (at === -1) return ids[0];
  return ids[Math.min(ids.length - 1, Math.max(0, at + step))];
}
