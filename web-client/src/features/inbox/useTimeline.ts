// The whole timeline of a conversation: the API pages it oldest first, 100 at a time, and the
// newest entries matter most, so every page is read. `reload` reads it again (the newest
// reload wins when several overlap). The caller reloads whenever the conversation changes.

import { useCallback, useRef, useState } from 'react';
import { useClient, type CombinedError, type OperationResult } from 'urql';
import type { InboxTimelineQuery } from '../../gql/graphql';
import { InboxTimeline } from './documents';
import type { TimelineNode } from './model';

const MAX_PAGES = 20;

export function useTimeline(conversationId: string) {
  const client = useClient();
  const [nodes, setNodes] = useState<TimelineNode[] | null>(null);
  const [error, setError] = useState<CombinedError | undefined>();
  const [fetching, setFetching] = useState(false);
  const sequence = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++sequence.current;
    setFetching(true);
    const all: TimelineNode[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result: OperationResult<InboxTimelineQuery> = await client
        .query(InboxTimeline, { id: conversationId, after }, { requestPolicy: 'network-only' })
        .toPromise();
      if (mine !== sequence.current) return;
      if (result.error) {
        setError(result.error);
        setFetching(false);
        return;
      }
      const timeline: NonNullable<InboxTimelineQuery['conversation']>['timeline'] | undefined = result.data?.conversation?.timeline;
      if (!timeline) break;
      all.push(...timeline.nodes);
      if (!timeline.pageInfo.hasNextPage || !timeline.pageInfo.endCursor) break;
      after = timeline.pageInfo.endCursor;
    }
    setError(undefined);
    setNodes(all);
    setFetching(false);
  }, [client, conversationId]);

  return { nodes, error, fetching, reload };
}
