import { describe, expect, it } from 'vitest';
import { arrangeTimeline, messagePreview, neighbour, snoozePresets, toConversationFilter, type TimelineNode } from './model';

function message(id: string, direction: 'INBOUND' | 'OUTBOUND', content: Record<string, unknown>, providerMessageId: string | null = `wamid.${id}`) {
  return {
    __typename: 'Message',
    id,
    direction,
    status: direction === 'INBOUND' ? 'RECEIVED' : 'DELIVERED',
    text: null,
    sentAt: '2026-12-07T10:00:00Z',
    providerMessageId,
    forwarded: false,
    lastError: null,
    attachments: [],
    content,
  } as unknown as TimelineNode;
}

describe('arrangeTimeline', () => {
  it('puts reactions on the message they react to, the latest of each side winning', () => {
    const items = arrangeTimeline([
      message('a', 'OUTBOUND', { __typename: 'TextContent', body: 'Hi' }),
      message('b', 'INBOUND', { __typename: 'ReactionContent', messageId: 'wamid.a', emoji: '😮' }),
      message('c', 'INBOUND', { __typename: 'ReactionContent', messageId: 'wamid.a', emoji: '👍' }),
      { __typename: 'ConversationNote', id: 'n1', noteText: 'VIP', authorName: 'Olivia', createdAt: '2026-12-07T10:01:00Z' } as TimelineNode,
    ]);
    expect(items.map((i) => i.kind)).toEqual(['message', 'note']);
    const first = items[0];
    expect(first.kind === 'message' && first.reactions).toEqual([{ emoji: '👍', fromCustomer: true }]);
  });

  it('drops a removed reaction and keeps one whose message is out of view as a bubble', () => {
    const items = arrangeTimeline([
      message('a', 'OUTBOUND', { __typename: 'TextContent', body: 'Hi' }),
      message('b', 'INBOUND', { __typename: 'ReactionContent', messageId: 'wamid.a', emoji: '👍' }),
      message('c', 'INBOUND', { __typename: 'ReactionContent', messageId: 'wamid.a', emoji: null }),
      message('d', 'INBOUND', { __typename: 'ReactionContent', messageId: 'wamid.gone', emoji: '❤️' }),
    ]);
    expect(items).toHaveLength(2);
    expect(items[0].kind === 'message' && items[0].reactions).toEqual([]);
    expect(items[1].key).toBe('d');
  });
});

describe('messagePreview', () => {
  it('prefixes our messages and names contentless kinds', () => {
    expect(messagePreview({ direction: 'OUTBOUND', text: 'On its way', content: { __typename: 'TextContent' } })).toBe('You: On its way');
    expect(messagePreview({ direction: 'INBOUND', text: null, content: { __typename: 'LocationContent' } })).toBe('[Location]');
    expect(messagePreview(undefined)).toBe('No messages yet');
  });
});

describe('toConversationFilter', () => {
  it('maps the scope, status, queue and labels', () => {
    expect(toConversationFilter({ scope: 'mine', status: 'OPEN', queueId: 'q', labelIds: ['l'] }, 'me')).toEqual({
      assigneeId: 'me',
      status: 'OPEN',
      queueId: 'q',
      labelIds: ['l'],
    });
    expect(toConversationFilter({ scope: 'unassigned', status: null, queueId: null, labelIds: [] }, 'me')).toEqual({ assigned: false });
  });
});

describe('neighbour', () => {
  it('moves within the list and stays at its ends', () => {
    expect(neighbour(['a', 'b', 'c'], 'a', 1)).toBe('b');
    expect(neighbour(['a', 'b', 'c'], 'a', -1)).toBe('a');
    expect(neighbour(['a', 'b', 'c'], 'c', 1)).toBe('c');
    expect(neighbour(['a', 'b'], undefined, 1)).toBe('a');
    expect(neighbour([], 'a', 1)).toBeUndefined();
  });
});

describe('snoozePresets', () => {
  it('counts from now, tomorrow and next Monday at nine', () => {
    const now = new Date(2026, 11, 9, 15, 30); // a Wednesday
    const [hour, , tomorrow, monday] = snoozePresets(now);
    expect(hour.until.getTime() - now.getTime()).toBe(3_600_000);
    expect([tomorrow.until.getDate(), tomorrow.until.getHours()]).toEqual([10, 9]);
    expect([monday.until.getDay(), monday.until.getDate(), monday.until.getHours()]).toEqual([1, 14, 9]);
  });
});
