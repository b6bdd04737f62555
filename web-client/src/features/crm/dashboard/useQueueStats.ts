import { useEffect, useState } from 'react';
import { useClient, useQuery, useSubscription } from 'urql';
import { graphql } from '../../../gql';
import type { CrmDashboardQueueStatsQuery } from '../../../gql/graphql';
import { connection } from '../../../lib/client';

const DashboardQueues = graphql(`
  query CrmDashboardQueues {
    queues {
      id
      name
      firstResponseMinutes
    }
  }
`);

const DashboardQueueStats = graphql(`
  query CrmDashboardQueueStats($queueId: ID!, $from: DateTime!, $to: DateTime!) {
    queueStats(queueId: $queueId, from: $from, to: $to) {
      ...QueueStatsFields
    }
  }
`);

const DashboardConversationEvents = graphql(`
  subscription CrmDashboardConversationEvents {
    conversationEvents {
      kind
    }
  }
`);

export type QueueFigures = {
  id: string;
  name: string;
  firstResponseMinutes: number | null;
  stats: CrmDashboardQueueStatsQuery['queueStats'];
};

/** Refetched at most this often while conversations change, and at least this often. */
const SETTLE_MS = 2_000;
const REFRESH_MS = 30_000;

/**
 * Every queue's figures over the last `hours`, refetched as conversations change (opened,
 * assigned, resolved…), after a reconnect, and every 30 seconds.
 */
export function useQueueStats(hours: number) {
  const client = useClient();
  const [queues] = useQuery({ query: DashboardQueues });
  const [figures, setFigures] = useState<QueueFigures[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  const [events] = useSubscription({ query: DashboardConversationEvents });
  useEffect(() => {
    if (!events.data) return;
    const t = setTimeout(() => setTick((n) => n + 1), SETTLE_MS);
    return () => clearTimeout(t);
  }, [events.data]);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    const off = connection.subscribe((_, reconnected) => reconnected && setTick((n) => n + 1));
    return () => {
      clearInterval(t);
      off();
    };
  }, []);

  const list = queues.data?.queues;
  useEffect(() => {
    if (!list) return;
    let cancelled = false;
    const to = new Date(Date.now() + 60_000).toISOString();
    const from = new Date(Date.now() - hours * 3_600_000).toISOString();
    void Promise.all(
      list.map((q) =>
        client
          .query(DashboardQueueStats, { queueId: q.id, from, to }, { requestPolicy: 'network-only' })
          .toPromise()
          .then((r) => {
            if (r.error || !r.data) throw r.error;
            return { id: q.id, name: q.name, firstResponseMinutes: q.firstResponseMinutes, stats: r.data.queueStats };
          }),
      ),
    ).then(
      (all) => {
        if (cancelled) return;
        setFigures(all);
        setError(null);
      },
      (e: unknown) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [client, list, hours, tick]);

  return { figures, error: error ?? queues.error };
}
