// Live updates of the inbox: every conversation and message event refetches the list (a
// burst of events makes one refetch) and tells the open conversation. After the socket comes
// back, the messages created or changed since the last event's cursor tell which
// conversations to fetch again, and the list and the open conversation are fetched anyway,
// so nothing said meanwhile is missed.

import { useEffect, useRef } from 'react';
import { useClient, useSubscription, type OperationResult } from 'urql';
import type { InboxMissedMessagesQuery } from '../../gql/graphql';
import { connection } from '../../lib/client';
import { InboxConversationEvents, InboxMessageEvents, InboxMissedMessages } from './documents';

export function useInboxLive({
  onAnyChange,
  onConversationChange,
}: {
  /** Something changed somewhere: refetch the list and counts. */
  onAnyChange: () => void;
  /** Something changed in this conversation. */
  onConversationChange: (conversationId: string) => void;
}) {
  const client = useClient();
  const cursor = useRef<string | null>(null);
  const handlers = useRef({ onAnyChange, onConversationChange });
  useEffect(() => {
    handlers.current = { onAnyChange, onConversationChange };
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const debounced = useRef(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      handlers.current.onAnyChange();
    }, 250);
  });
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  useSubscription({ query: InboxConversationEvents }, (_prev, event) => {
    debounced.current();
    handlers.current.onConversationChange(event.conversationEvents.conversation.id);
    return event;
  });
  useSubscription({ query: InboxMessageEvents }, (_prev, event) => {
    debounced.current();
    cursor.current = event.messageEvents.cursor;
    const id = event.messageEvents.message.conversation?.id;
    if (id) handlers.current.onConversationChange(id);
    return event;
  });

  // Pages through what changed since `after`, telling each conversation concerned.
  async function catchUp(after: string) {
    let from: string | null = after;
    for (let page = 0; from && page < 10; page++) {
      const result: OperationResult<InboxMissedMessagesQuery> = await client.query(InboxMissedMessages, { after: from }, { requestPolicy: 'network-only' }).toPromise();
      const missed: InboxMissedMessagesQuery['messages'] | undefined = result.data?.messages;
      if (!missed) return;
      for (const m of missed.nodes) {
        if (m.conversation) handlers.current.onConversationChange(m.conversation.id);
      }
      const last = missed.edges.at(-1)?.cursor ?? null;
      if (last) cursor.current = last;
      from = missed.pageInfo.hasNextPage ? last : null;
    }
  }

  useEffect(
    () =>
      connection.subscribe((_state, reconnected) => {
        if (!reconnected) return;
        handlers.current.onAnyChange();
        handlers.current.onConversationChange('*');
        if (cursor.current) void catchUp(cursor.current);
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
}
