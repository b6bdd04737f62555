import { useState } from 'react';
import { useSubscription } from 'urql';
import type { CrmCampaignFragment } from '../../../gql/graphql';
import { CampaignProgress } from './documents';

/**
 * The campaign as last heard of: from its query (refetched after a mutation) or from its
 * `campaignProgress` stream while it runs, whichever answered last.
 */
export function useLiveCampaign(fromQuery: CrmCampaignFragment | null | undefined, listen = true): CrmCampaignFragment | null {
  const [latest, setLatest] = useState<CrmCampaignFragment | null>(fromQuery ?? null);
  const id = fromQuery?.id ?? '';
  const active = !!fromQuery && fromQuery.state !== 'COMPLETED' && fromQuery.state !== 'CANCELLED';
  const [stream] = useSubscription({ query: CampaignProgress, variables: { id }, pause: !listen || !active });

  // Whichever of the two changed last wins (state adjusted while rendering, as React advises).
  const streamed = stream.data?.campaignProgress;
  const [seen, setSeen] = useState({ fromQuery, streamed });
  if (seen.fromQuery !== fromQuery || seen.streamed !== streamed) {
    setSeen({ fromQuery, streamed });
    if (seen.streamed !== streamed && streamed) setLatest(streamed);
    else if (fromQuery) setLatest(fromQuery);
  }

  return latest && latest.id === id ? latest : (fromQuery ?? null);
}
