// Live updates of the inbox: every conversation and message event refetches the list (a
// burst of events makes one refetch) and tells the open conversation; after the socket
// comes back, everything is fetched again so nothing said meanwhile is missed.

import { useEffect, useRef } from 'react';
import { useSubscription } from 'urql';
import { connection } from '../../lib/client';
import { InboxConversationEvents, InboxMessageEvents } from './documents';

export function useInboxLive({
  onAnyChange,
  onConversationChange,
}: {
  /** Something changed somewhere: refetch the list and counts. */
  onAnyChange: () => void;
  /** Something changed in this conversation. */
  onConversationChange: (conversationId: string) => void;
}) {
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
    const id = event.messageEvents.message.conversation?.id;
    if (id) handlers.current.onConversationChange(id);
    return event;
  });

  useEffect(
    () =>
      connection.subscribe((_state, reconnected) => {
        if (!reconnected) return;
        handlers.current.onAnyChange();
        handlers.current.onConversationChange('*');
      }),
    [],
  );
}
