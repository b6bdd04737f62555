// The open conversation: header, timeline and the composer. It refetches when the inbox hears
// an event about it (`version`), marks it read when opened and when the customer writes, and
// polls while an attachment is still being fetched from the provider.

import { Box, Center, Loader, ScrollArea, Stack } from '@mantine/core';
import { useCallback, useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyState, QueryState } from '../../components/QueryState';
import { useMutationAction } from '../../lib/useMutationAction';
import { Composer } from '../composer/Composer';
import type { AgentOption, QueueOption } from './ConversationActions';
import { ConversationHeader } from './ConversationHeader';
import { InboxConversation } from './documents';
import { InboxMarkRead } from './mutations';
import { arrangeTimeline, contactName } from './model';
import { useTimeline } from './useTimeline';
import { Timeline, type Names } from './Timeline';

export function ConversationView({
  conversationId,
  version,
  agents,
  queues,
  labels,
  onBack,
  onChanged,
}: {
  conversationId: string;
  version: number;
  agents: AgentOption[];
  queues: QueueOption[];
  labels: { id: string; name: string; color: string }[];
  onBack?: () => void;
  onChanged: () => void;
}) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: InboxConversation, variables: { id: conversationId } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const [, markRead] = useMutationAction(InboxMarkRead);
  const conversation = data?.conversation;
  const unread = conversation?.unreadCount ?? 0;

  useEffect(() => {
    if (version > 0) refetch();
  }, [version, refetch]);

  // Opening a conversation (or reading a new message in it) marks it read.
  useEffect(() => {
    if (conversation?.id === conversationId && unread > 0) {
      void markRead({ id: conversationId }).then(() => onChanged());
    }
  }, [conversation?.id, conversationId, unread, markRead, onChanged]);

  // Every fresh answer about the conversation (an event, a mutation) reads the timeline again.
  const timeline = useTimeline(conversationId);
  const reloadTimeline = timeline.reload;
  useEffect(() => {
    if (data) void reloadTimeline();
  }, [data, reloadTimeline]);
  const items = useMemo(() => arrangeTimeline(timeline.nodes ?? []), [timeline.nodes]);
  const pendingMedia = items.some((i) => i.kind === 'message' && i.message.attachments.some((a) => a.state === 'PENDING'));
  useEffect(() => {
    if (!pendingMedia) return;
    const timer = setInterval(refetch, 1_500);
    return () => clearInterval(timer);
  }, [pendingMedia, refetch]);

  const names: Names = useMemo(
    () => ({
      agent: (id) => agents.find((a) => a.userId === id)?.label ?? 'a teammate',
      queue: (id) => queues.find((q) => q.id === id)?.name ?? 'another queue',
    }),
    [agents, queues],
  );
  const changed = useCallback(() => {
    refetch();
    onChanged();
  }, [refetch, onChanged]);

  if (data && !conversation) {
    return <EmptyState title="This conversation does not exist" hint="It may belong to another workspace. Pick one from the list." />;
  }
  return (
    <QueryState fetching={fetching} error={error} hasData={!!conversation}>
      {conversation && (
        <Stack gap={0} h="100%" aria-label={`Conversation with ${contactName(conversation.contact)}`} component="section">
          <ConversationHeader
            conversation={conversation}
            agents={agents}
            queues={queues}
            allLabels={labels}
            onBack={onBack}
            onChanged={changed}
          />
          <ScrollArea style={{ flex: 1 }} type="auto" offsetScrollbars>
            <Box px="xs">
              {timeline.error && <ErrorAlert error={timeline.error} title="The timeline could not be loaded" />}
              {!timeline.nodes ? (
                <Center p="xl">
                  <Loader size="sm" aria-label="Loading the timeline" />
                </Center>
              ) : items.length === 0 ? (
                <EmptyState title="No messages yet" hint="Messages, notes and changes of this conversation appear here." />
              ) : (
                <Timeline items={items} names={names} onChanged={changed} />
              )}
            </Box>
          </ScrollArea>
          <Box pt="xs" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
            <Composer
              conversationId={conversation.id}
              channelId={conversation.channel.id}
              contactPhone={conversation.contact.phoneNumber}
              windowOpen={conversation.windowOpen}
              onSent={changed}
            />
          </Box>
        </Stack>
      )}
    </QueryState>
  );
}
