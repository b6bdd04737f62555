import { lazy } from 'react';
import { Indicator } from '@mantine/core';
import { IconInbox } from '@tabler/icons-react';
import { useQuery } from 'urql';
import type { FeatureRoute } from '../../app/feature';
import { InboxUnreadCounts } from './documents';

// Each screen is its own chunk, loaded when first opened.
const InboxPage = lazy(() => import('./InboxPage').then((m) => ({ default: m.InboxPage })));

const COUNTS_CONTEXT = { additionalTypenames: ['Conversation'] };

/** The nav's inbox icon with the viewer's unread total (shared with the inbox's own query). */
function InboxNavIcon() {
  const [{ data }] = useQuery({ query: InboxUnreadCounts, context: COUNTS_CONTEXT });
  const total = data?.unreadCounts.messages ?? 0;
  return (
    <Indicator label={total > 99 ? '99+' : total} size={16} disabled={total === 0} color="green" offset={2}>
      <IconInbox size={18} />
    </Indicator>
  );
}

export const routes: FeatureRoute[] = [
  {
    path: 'inbox',
    element: <InboxPage />,
    nav: { label: 'Inbox', icon: <InboxNavIcon />, group: 'Inbox', role: 'AGENT', order: 1 },
  },
  { path: 'inbox/:conversationId', element: <InboxPage /> },
];
