import { useEffect, useMemo, useState } from 'react';
import { useClient, useSubscription } from 'urql';
import { graphql } from '../../../gql';
import { connection } from '../../../lib/client';
import type { CrmDashboardMessageEventsSubscription } from '../../../gql/graphql';
import type { SeenMessage } from './buckets';

const RecentMessages = graphql(`
  query CrmDashboardMessages($from: DateTime!, $after: String) {
    messages(filter: { from: $from }, first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        direction
        status
        createdAt
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
        direction
        status
        createdAt
      }
    }
  }
`);

/** At most this many pages are read at load: 5,000 messages an hour. */
const MAX_PAGES = 50;

/**
 * The messages of the last `minutes`, read at load (and after a reconnect), then kept
 * current from the live events.
 */
export function useRecentMessages(minutes = 60) {
  const client = useClient();
  const [loaded, setLoaded] = useState<Map<string, SeenMessage>>(() => new Map());
  const [state, setState] = useState<{ loading: boolean; error: unknown; truncated: boolean }>({ loading: true, error: null, truncated: false });
  const [reloads, setReloads] = useState(0);

  useEffect(() => connection.subscribe((_, reconnected) => reconnected && setReloads((n) => n + 1)), []);

  useEffect(() => {
    let cancelled = false;
    const from = new Date(Date.now() - minutes * 60_000).toISOString();
    void (async () => {
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await client.query(RecentMessages, { from, after }, { requestPolicy: 'network-only' }).toPromise();
        if (cancelled) return;
        if (r.error || !r.data) {
          setState({ loading: false, error: r.error, truncated: false });
          return;
        }
        const nodes = r.data.messages.nodes;
        setLoaded((prev) => {
          const next = page === 0 ? new Map<string, SeenMessage>() : new Map(prev);
          for (const m of nodes) next.set(m.id, m);
          return next;
        });
        if (!r.data.messages.pageInfo.hasNextPage) {
          setState({ loading: false, error: null, truncated: false });
          return;
        }
        after = r.data.messages.pageInfo.endCursor;
      }
      setState({ loading: false, error: null, truncated: true });
    })();
    return () => {
      cancelled = true;
    };
  }, [client, minutes, reloads]);

  // The handler sees every event, also those arriving between two renders: the messages
  // heard of live, by id, their latest state.
  const [events] = useSubscription<CrmDashboardMessageEventsSubscription, Map<string, SeenMessage>>(
    { query: DashboardMessageEvents },
    (heard = new Map(), data) => new Map(heard).set(data.messageEvents.message.id, data.messageEvents.message),
  );
  const heard = events.data;
  const messages = useMemo(() => (heard ? new Map([...loaded, ...heard]) : loaded), [loaded, heard]);

  return { messages, ...state, streamError: events.error };
}
