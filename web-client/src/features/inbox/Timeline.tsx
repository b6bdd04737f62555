// The conversation's life in order: bubbles, internal notes (inline, styled apart so nobody
// takes them for messages the customer saw) and changes as small centred lines.

import { Box, Center, Group, Paper, Stack, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { formatDateTime, formatTime } from '../../lib/time';
import { MessageBubble } from './MessageBubble';
import type { TimelineChange, TimelineItem, TimelineNote } from './model';

export type Names = { agent: (id?: string | null) => string; queue: (id?: string | null) => string };

function changeText(change: TimelineChange, names: Names): string {
  const who = change.actorId ? names.agent(change.actorId) : 'Switchboard';
  switch (change.changeKind) {
    case 'OPENED':
      return 'Conversation opened';
    case 'ASSIGNED':
      if (change.actorId && change.actorId === change.assigneeId) return `${who} took it`;
      return `${who} assigned it to ${names.agent(change.assigneeId)}`;
    case 'UNASSIGNED':
      return `${who} unassigned it`;
    case 'TRANSFERRED':
      return `${who} transferred it to ${change.assigneeId ? names.agent(change.assigneeId) : names.queue(change.queueId)}${
        change.transferNote ? `: “${change.transferNote}”` : ''
      }`;
    case 'SNOOZED':
      return change.until ? `${who} snoozed it until ${formatDateTime(change.until)}` : `${who} set it waiting on the customer`;
    case 'RESUMED':
      return 'Back from snooze';
    case 'RESOLVED':
      return `${who} resolved it`;
    case 'REOPENED':
      return `${who} reopened it`;
  }
}

function Note({ note }: { note: TimelineNote }) {
  return (
    <Center>
      <Paper
        component="aside"
        aria-label={`Internal note by ${note.authorName ?? 'a teammate'}`}
        data-kind="note"
        maw="85%"
        px="sm"
        py={6}
        radius="md"
        style={{
          background: 'var(--mantine-color-yellow-light)',
          border: '1px dashed var(--mantine-color-yellow-filled)',
        }}
      >
        <Group gap={6} mb={2} wrap="nowrap">
          <IconLock size={12} aria-hidden />
          <Text size="xs" fw={600}>
            Internal note · {note.authorName ?? 'Teammate'}
          </Text>
          <Text size="xs" c="dimmed">
            {formatTime(note.createdAt)}
          </Text>
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {note.noteText}
        </Text>
      </Paper>
    </Center>
  );
}

export function Timeline({ items, names, onChanged }: { items: TimelineItem[]; names: Names; onChanged: () => void }) {
  const end = useRef<HTMLDivElement>(null);
  const last = items.at(-1)?.key;
  // Follow the conversation: a new entry scrolls into view.
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [last, items.length]);
  return (
    <Stack gap="xs" py="sm" role="log" aria-label="Conversation timeline">
      {items.map((item) => {
        if (item.kind === 'message') {
          return <MessageBubble key={item.key} message={item.message} reactions={item.reactions} onRetried={onChanged} />;
        }
        if (item.kind === 'note') return <Note key={item.key} note={item.note} />;
        return (
          <Center key={item.key}>
            <Text size="xs" c="dimmed" ta="center" title={formatDateTime(item.change.at)}>
              {changeText(item.change, names)} · {formatTime(item.change.at)}
            </Text>
          </Center>
        );
      })}
      <Box ref={end} />
    </Stack>
  );
}
