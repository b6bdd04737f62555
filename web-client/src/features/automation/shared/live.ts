// Keeping admin screens current: a callback after the live socket reconnects (events were
// missed meanwhile), and a counter that moves when conversations change, so counts refetch.

import { useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import { graphql } from '../../../gql';
import { connection } from '../../../lib/client';

const ConversationChanges = graphql(`
  subscription AutomationConversationChanges {
    conversationEvents {
      kind
      conversation {
        id
        queueId
      }
    }
  }
`);

export function useOnReconnect(callback: () => void) {
  const latest = useRef(callback);
  useEffect(() => {
    latest.current = callback;
  });
  useEffect(
    () =>
      connection.subscribe((_state, reconnected) => {
        if (reconnected) latest.current();
      }),
    [],
  );
}

/** A number that grows (at most once a second) as conversations open, move or resolve. */
export function useConversationChangeTick(): number {
  const [tick, setTick] = useState(0);
  const [{ data }] = useSubscription({ query: ConversationChanges });
  const last = useRef(0);
  useEffect(() => {
    if (!data || data.conversationEvents.kind === 'NOTE_ADDED') return;
    const now = Date.now();
    const wait = Math.max(0, last.current + 1000 - now);
    const timer = setTimeout(() => {
      last.current = Date.now();
      setTick((t) => t + 1);
    }, wait);
    return () => clearTimeout(timer);
  }, [data]);
  return tick;
}
