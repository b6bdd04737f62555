import { useEffect, useRef } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../../gql';
import { connection } from '../../../lib/client';

const Volume = graphql(`
  query CrmDashboardVolume($from: DateTime!, $to: DateTime!) {
    messageVolume(from: $from, to: $to, bucketMinutes: 1) {
      points {
        start
        inbound
        outbound
      }
      inbound
      outbound {
        queued
        sent
        delivered
        read
        failed
        deliveryRate
        readRate
      }
    }
  }
`);

const DashboardMessageEvents = graphql(`
  subscription CrmDashboardMessageEvents {
    messageEvents {
      kind
      message {
        id
      }
    }
  }
`);

/** Refetches at most this often while events stream in. */
const THROTTLE_MS = 2_000;

/**
 * The last `minutes` minutes' message volume, counted by the server, ending with the
 * current minute (`now` moves the window). Live: a message event refetches it (at most
 * every two seconds), as does a reconnect.
 */
export function useMessageVolume(now: number, minutes = 60) {
  const end = Math.floor(now / 60_000) * 60_000 + 60_000;
  const variables = { from: new Date(end - minutes * 60_000).toISOString(), to: new Date(end).toISOString() };
  const [result, refetch] = useQuery({ query: Volume, variables, requestPolicy: 'cache-and-network' });
  const [events] = useSubscription({ query: DashboardMessageEvents });
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (!events.data) return;
    const wait = Math.max(0, last.current + THROTTLE_MS - Date.now());
    clearTimeout(pending.current);
    pending.current = setTimeout(() => {
      last.current = Date.now();
      refetch({ requestPolicy: 'network-only' });
    }, wait);
  }, [events.data, refetch]);

  useEffect(() => () => clearTimeout(pending.current), []);
  useEffect(
    () => connection.subscribe((_, reconnected) => reconnected && refetch({ requestPolicy: 'network-only' })),
    [refetch],
  );

  return {
    volume: result.data?.messageVolume ?? null,
    loading: result.fetching && !result.data,
    error: result.error,
    streamError: events.error,
  };
}
