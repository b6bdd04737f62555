import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { QueryState } from '../../../components/QueryState';
import type { ConversationStatus } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { ContactConversations } from './documents';

const COLOR: Record<ConversationStatus, string> = { OPEN: 'orange', ASSIGNED: 'blue', PENDING: 'yellow', RESOLVED: 'gray' };

/** The contact's conversations the viewer sees, most recently opened first. */
export function ContactConversationsCard({ contactId, version }: { contactId: string; version: number }) {
  const [result, reexecute] = useQuery({ query: ContactConversations, variables: { contactId } });
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const conversations = result.data?.conversations.nodes ?? [];
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={4} mb="sm">
        Conversations
      </Title>
      <QueryState
        fetching={result.fetching}
        error={result.error}
        hasData={!!result.data}
        empty={conversations.length === 0}
        emptyTitle="No conversations"
        emptyHint="A conversation opens when the contact writes to one of your channels."
      >
        <Stack gap="xs">
          {conversations.map((c) => (
            <Group key={c.id} justify="space-between" wrap="nowrap">
              <div>
                <Text size="sm" fw={500}>
                  {c.channel.name}
                  {c.queue ? ` · ${c.queue.name}` : ''}
                </Text>
                <Text size="xs" c="dimmed">
                  Opened {formatDateTime(c.openedAt)}
                  {c.resolvedAt ? `, resolved ${formatDateTime(c.resolvedAt)}` : ''}
                </Text>
              </div>
              <Badge variant="light" color={COLOR[c.status]}>
                {c.status}
              </Badge>
            </Group>
          ))}
        </Stack>
      </QueryState>
    </Paper>
  );
}
