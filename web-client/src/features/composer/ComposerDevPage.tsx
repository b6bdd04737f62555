// A bare page for one conversation's composer, at /dev/composer/:conversationId (no menu
// entry): the conversation's latest messages and notes, and the Composer under them. It
// lets the composer be used and tested on its own, outside the inbox.

import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { graphql } from '../../gql';
import { formatDateTime } from '../../lib/time';
import { Composer } from './Composer';
import { WhatsAppText } from './WhatsAppText';

const ConversationQuery = graphql(`
  query ComposerDevConversation($id: ID!) {
    conversation(id: $id) {
      id
      windowOpen
      windowExpiresAt
      channel {
        id
        name
      }
      contact {
        id
        name
        profileName
        phoneNumber
      }
      messages(first: 8) {
        edges {
          node {
            id
            direction
            status
            text
            sentAt
            content {
              __typename
            }
          }
        }
      }
      notes(first: 20) {
        edges {
          node {
            id
            text
            authorName
            createdAt
          }
        }
      }
    }
  }
`);

export function ComposerDevPage() {
  const { conversationId = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ConversationQuery, variables: { id: conversationId } });
  // No subscription here: a light poll shows statuses moving and the window opening.
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 2000);
    return () => clearInterval(timer);
  }, [refetch]);
  const conversation = data?.conversation;
  const messages = [...(conversation?.messages.edges ?? [])].reverse().map((e) => e.node);
  const notes = conversation?.notes.edges.map((e) => e.node) ?? [];

  return (
    <Stack maw={900}>
      <PageHeader
        title="Composer"
        description={
          conversation
            ? `${conversation.contact.name ?? conversation.contact.profileName ?? conversation.contact.phoneNumber} on ${conversation.channel.name}`
            : 'A conversation’s reply box'
        }
      />
      <QueryState
        fetching={fetching}
        error={error}
        hasData={data !== undefined}
        empty={!conversation}
        emptyTitle="No such conversation"
        emptyHint="Open a conversation from the inbox."
      >
        {conversation && (
          <>
            <Paper withBorder p="sm" radius="md" aria-label="Latest messages" component="section">
              <Stack gap={6}>
                {messages.length === 0 && notes.length === 0 && (
                  <Text size="sm" c="dimmed">
                    No messages yet.
                  </Text>
                )}
                {messages.map((m) => (
                  <Group key={m.id} gap="xs" justify={m.direction === 'OUTBOUND' ? 'flex-end' : 'flex-start'} wrap="nowrap">
                    {m.text ? (
                      <WhatsAppText text={m.text} />
                    ) : (
                      <Text size="sm">[{m.content.__typename.replace(/Content$/, '')}]</Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {formatDateTime(m.sentAt)}
                    </Text>
                    {m.direction === 'OUTBOUND' && (
                      <Badge size="xs" variant="light" color={m.status === 'FAILED' ? 'red' : 'gray'}>
                        {m.status}
                      </Badge>
                    )}
                  </Group>
                ))}
                {notes.map((n) => (
                  <Text key={n.id} size="sm" c="dimmed">
                    Note{n.authorName ? ` by ${n.authorName}` : ''}: {n.text}
                  </Text>
                ))}
              </Stack>
            </Paper>
            <Composer
              conversationId={conversation.id}
              channelId={conversation.channel.id}
              contactPhone={conversation.contact.phoneNumber}
              windowOpen={conversation.windowOpen}
              windowExpiresAt={conversation.windowExpiresAt}
              onSent={() => refetch({ requestPolicy: 'network-only' })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
