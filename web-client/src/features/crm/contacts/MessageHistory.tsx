import { Accordion, Badge, Button, Center, Group, Paper, Text, ThemeIcon, Title } from '@mantine/core';
import { IconArrowDownLeft, IconArrowUpRight } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { QueryState } from '../../../components/QueryState';
import { graphql } from '../../../gql';
import { connection } from '../../../lib/client';
import { formatDateTime } from '../../../lib/time';
import type { CrmContactMessageEventsSubscription, CrmContactMessagesQuery } from '../../../gql/graphql';
import { STATUS_COLOR } from '../shared/status';
import { ContactMessages } from './documents';
import { MessageDetails } from './MessageDetails';

const PAGE = 30;

const ContactMessageEvents = graphql(`
  subscription CrmContactMessageEvents {
    messageEvents {
      kind
      message {
        id
        contact {
          id
        }
      }
    }
  }
`);

/**
 * Counts the live message events of one contact, and reconnects: each change means its
 * history and conversations should be read again.
 */
export function useContactActivity(contactId: string): number {
  const [reconnects, setReconnects] = useState(0);
  const [events] = useSubscription<CrmContactMessageEventsSubscription, number>({ query: ContactMessageEvents }, (count = 0, data) =>
    data.messageEvents.message.contact.id === contactId ? count + 1 : count,
  );
  // After a lost socket, catch up on what was missed.
  useEffect(() => connection.subscribe((_, reconnected) => reconnected && setReconnects((v) => v + 1)), []);
  return (events.data ?? 0) + reconnects;
}

/** One page of the history; the last page offers the next. `version` changes refetch it. */
function HistoryPage({
  contactId,
  after,
  version,
  onMore,
}: {
  contactId: string;
  after: string | null;
  version: number;
  onMore?: (cursor: string) => void;
}) {
  const [result, reexecute] = useQuery({ query: ContactMessages, variables: { id: contactId, first: PAGE, after } });
  useEffect(() => {
    if (version > 0) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const page = result.data?.contact?.messages;
  const messages = page?.nodes ?? [];
  const first = after === null;
  return (
    <QueryState
      fetching={result.fetching}
      error={result.error}
      hasData={!!page}
      empty={first && messages.length === 0}
      emptyTitle="No messages yet"
      emptyHint="Messages appear here as soon as the contact writes or is sent one."
    >
      <Accordion variant="separated" multiple chevronPosition="right" mt={first ? 0 : 'xs'}>
        {messages.map((m) => (
          <HistoryItem key={m.id} message={m} />
        ))}
      </Accordion>
      {onMore && page?.pageInfo.hasNextPage && page.pageInfo.endCursor && (
        <Center mt="sm">
          <Button variant="default" size="xs" onClick={() => onMore(page.pageInfo.endCursor as string)}>
            Load older messages
          </Button>
        </Center>
      )}
    </QueryState>
  );
}

type Message = NonNullable<CrmContactMessagesQuery['contact']>['messages']['nodes'][number];

function HistoryItem({ message: m }: { message: Message }) {
  const inbound = m.direction === 'INBOUND';
  const body = m.text ?? (m.content.__typename === 'TemplateContent' ? m.content.text : `(${m.content.__typename.replace('Content', '').toLowerCase()})`);
  return (
    <Accordion.Item value={m.id}>
      <Accordion.Control aria-label={`${inbound ? 'Received' : 'Sent'} ${formatDateTime(m.sentAt)}: ${body}`}>
        <Group wrap="nowrap" gap="sm">
          <ThemeIcon variant="light" color={inbound ? 'grape' : 'blue'} radius="xl" size="md" aria-hidden>
            {inbound ? <IconArrowDownLeft size={16} /> : <IconArrowUpRight size={16} />}
          </ThemeIcon>
          <div style={{ flex: 1, minWidth: 0 }}>
            <Text size="sm" lineClamp={2}>
              {body}
            </Text>
            <Text size="xs" c="dimmed">
              {formatDateTime(m.sentAt)} · {m.channel.name}
              {m.content.__typename === 'TemplateContent' ? ` · template ${m.content.name}` : ''}
              {m.attempts.length > 0 ? ` · ${m.attempts.length} ${m.attempts.length === 1 ? 'attempt' : 'attempts'}` : ''}
            </Text>
          </div>
          <Badge variant="light" color={STATUS_COLOR[m.status]}>
            {m.status}
          </Badge>
        </Group>
      </Accordion.Control>
      <Accordion.Panel>
        {m.lastError && (
          <Text size="sm" c="red" mb="xs">
            Last error {m.lastError.code}: {m.lastError.message}
          </Text>
        )}
        <MessageDetails message={m} />
      </Accordion.Panel>
    </Accordion.Item>
  );
}

/** The contact's whole history, newest first; a new `version` refetches every page. */
export function MessageHistory({ contactId, version }: { contactId: string; version: number }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={4} mb="sm">
        Message history
      </Title>
      {cursors.map((after, i) => (
        <HistoryPage
          key={after ?? 'first'}
          contactId={contactId}
          after={after}
          version={version}
          onMore={i === cursors.length - 1 ? (cursor) => setCursors((c) => [...c, cursor]) : undefined}
        />
      ))}
    </Paper>
  );
}
