// The conversation list: one row per conversation with the contact, the last message, its
// time, the unread badge, the window state and the labels; the open one highlighted.

import { Badge, Group, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import type { InboxConversationsQuery } from '../../gql/graphql';
import { formatDateTime, formatShort } from '../../lib/time';
import { contactName, messagePreview, STATUS_COLOR, STATUS_LABEL } from './model';
import { WindowBadge } from './WindowBadge';

export type ListConversation = InboxConversationsQuery['conversations']['nodes'][number];

function Row({ c, active, onOpen }: { c: ListConversation; active: boolean; onOpen: () => void }) {
  const name = contactName(c.contact);
  const preview = messagePreview(c.lastMessage);
  // The open conversation is being read: it never shows as unread.
  const unread = active ? 0 : c.unreadCount;
  return (
    <UnstyledButton
      onClick={onOpen}
      aria-current={active ? 'true' : undefined}
      aria-label={`${name}${unread ? `, ${unread} unread` : ''}: ${preview}`}
      data-conversation-id={c.id}
      p="xs"
      style={{
        display: 'block',
        width: '100%',
        borderRadius: 'var(--mantine-radius-md)',
        background: active ? 'var(--mantine-color-blue-light)' : undefined,
      }}
    >
      <Group justify="space-between" wrap="nowrap" gap={6}>
        <Text size="sm" fw={unread ? 700 : 500} truncate>
          {name}
        </Text>
        <Text size="xs" c="dimmed" title={formatDateTime(c.lastMessageAt)} style={{ flexShrink: 0 }}>
          {formatShort(c.lastMessageAt)}
        </Text>
      </Group>
      <Group justify="space-between" wrap="nowrap" gap={6}>
        <Text size="xs" c="dimmed" truncate>
          {preview}
        </Text>
        {unread > 0 && (
          <Badge size="sm" circle color="green" aria-label={`${unread} unread`} data-testid="unread-badge">
            {unread}
          </Badge>
        )}
      </Group>
      <Group gap={4} mt={4} wrap="wrap">
        <Text size="xs" c="dimmed">
          {c.contact.phoneNumber}
        </Text>
        <Badge size="xs" variant="light" color={STATUS_COLOR[c.status]}>
          {STATUS_LABEL[c.status]}
        </Badge>
        <WindowBadge expiresAt={c.windowExpiresAt} compact />
        {c.queue && (
          <Badge size="xs" variant="default">
            {c.queue.name}
          </Badge>
        )}
        {c.labels.map((l) => (
          <Badge key={l.id} size="xs" variant="dot" color={l.color}>
            {l.name}
          </Badge>
        ))}
      </Group>
    </UnstyledButton>
  );
}

export function ConversationList({
  conversations,
  activeId,
  onOpen,
}: {
  conversations: ListConversation[];
  activeId?: string;
  onOpen: (id: string) => void;
}) {
  return (
    <ScrollArea style={{ flex: 1 }} type="auto">
      <Stack gap={2} component="nav" aria-label="Conversations">
        {conversations.map((c) => (
          <Row key={c.id} c={c} active={c.id === activeId} onOpen={() => onOpen(c.id)} />
        ))}
      </Stack>
    </ScrollArea>
  );
}
