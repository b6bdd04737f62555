// The agent inbox: the conversation list on the left, the open conversation on the right (one
// at a time on narrow screens), live through the socket, with keyboard shortcuts.

import { Box, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useHotkeys, useMediaQuery } from '@mantine/hooks';
import { useCallback, useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyState, QueryState } from '../../components/QueryState';
import { hasRole, useSession } from '../../lib/session';
import { useResolve } from './ConversationActions';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { InboxConversations, InboxDirectory, InboxPresence, InboxUnreadCounts } from './documents';
import { ListFilters } from './ListFilters';
import { DEFAULT_FILTERS, neighbour, toConversationFilter, type InboxFilters } from './model';
import { ShortcutsHelp } from './ShortcutsHelp';
import { useInboxLive } from './useInboxLive';

const COUNTS_CONTEXT = { additionalTypenames: ['Conversation'] };

export function InboxPage() {
  const { conversationId } = useParams();
  const navigate = useNavigate();
  const session = useSession();
  const { user } = session;
  const narrow = useMediaQuery('(max-width: 62em)');
  const [filters, setFilters] = useState<InboxFilters>(DEFAULT_FILTERS);
  const [helpOpen, setHelpOpen] = useState(false);
  const [version, setVersion] = useState(0);

  const variables = useMemo(() => ({ filter: toConversationFilter(filters, user.id), first: 100 }), [filters, user.id]);
  const [list, reexecuteList] = useQuery({ query: InboxConversations, variables });
  const [directory] = useQuery({ query: InboxDirectory });
  const [presence] = useQuery({ query: InboxPresence, pause: !hasRole(session, 'ADMIN') });
  const [counts, reexecuteCounts] = useQuery({ query: InboxUnreadCounts, context: COUNTS_CONTEXT });

  const refreshList = useCallback(() => {
    reexecuteList({ requestPolicy: 'network-only' });
    reexecuteCounts({ requestPolicy: 'network-only' });
  }, [reexecuteList, reexecuteCounts]);

  useInboxLive({
    onAnyChange: refreshList,
    onConversationChange: (id) => {
      if (id === '*' || id === conversationId) setVersion((v) => v + 1);
    },
  });

  // Most recent activity first.
  const conversations = useMemo(
    () => [...(list.data?.conversations.nodes ?? [])].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt)),
    [list.data],
  );
  const open = useCallback((id: string) => navigate(`/inbox/${id}`), [navigate]);

  const agents = useMemo(() => {
    const status = new Map((presence.data?.agents ?? []).map((a) => [a.userId, a.status]));
    return (directory.data?.users.nodes ?? [])
      .filter((u) => u.active)
      .map((u) => ({ userId: u.id, label: u.name || u.email, status: status.get(u.id) ?? null }));
  }, [directory.data, presence.data]);
  const queues = directory.data?.queues ?? [];
  const labels = directory.data?.labels ?? [];

  const resolve = useResolve();
  const ids = conversations.map((c) => c.id);
  useHotkeys([
    ['j', () => { const id = neighbour(ids, conversationId, 1); if (id) open(id); }],
    ['k', () => { const id = neighbour(ids, conversationId, -1); if (id) open(id); }],
    ['r', () => document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Reply"]')?.focus()],
    ['e', () => { if (conversationId) void resolve({ id: conversationId }).then(() => setVersion((v) => v + 1)); }],
    ['shift+?', () => setHelpOpen(true)],
    ['?', () => setHelpOpen(true)],
  ]);

  const unread = counts.data?.unreadCounts;
  const filtered = JSON.stringify(filters) !== JSON.stringify(DEFAULT_FILTERS);
  const showList = !narrow || !conversationId;
  const showView = !narrow || !!conversationId;
  const fullHeight = 'calc(100dvh - var(--app-shell-header-height, 56px) - 2 * var(--mantine-spacing-md))';

  return (
    <Group align="stretch" gap="md" wrap="nowrap" h={fullHeight}>
      {showList && (
        <Paper withBorder radius="md" p="xs" w={narrow ? '100%' : 360} style={{ flexShrink: 0, display: 'flex', flexDirection: 'column' }}>
          <Stack gap={6} pb={6}>
            <Group justify="space-between">
              <Title order={2} size="h4">
                Inbox
              </Title>
              {unread && unread.messages > 0 && (
                <Text size="xs" c="dimmed" data-testid="unread-total">
                  {unread.messages} unread in {unread.conversations} assigned to you
                </Text>
              )}
            </Group>
            {directory.error && <ErrorAlert error={directory.error} title="Queues, labels and teammates could not be loaded" />}
            <ListFilters filters={filters} onChange={setFilters} queues={queues} labels={labels} />
          </Stack>
          <QueryState
            fetching={list.fetching}
            error={list.error}
            hasData={!!list.data}
            empty={conversations.length === 0}
            emptyTitle={filtered ? 'No conversation matches' : 'No conversations yet'}
            emptyHint={
              !filtered
                ? 'When a customer writes to one of your WhatsApp numbers, the conversation appears here. Connect a number under Channels if you have none.'
                : 'Clear a filter to see more conversations.'
            }
          >
            <ConversationList conversations={conversations} activeId={conversationId} onOpen={open} />
            {list.data?.conversations.pageInfo.hasNextPage && (
              <Text size="xs" c="dimmed" ta="center" pt={6}>
                Showing the {conversations.length} most recent: narrow the list with the filters to find older ones.
              </Text>
            )}
          </QueryState>
        </Paper>
      )}
      {showView && (
        <Paper withBorder radius="md" p="sm" style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
          {conversationId ? (
            <Box style={{ flex: 1, minHeight: 0 }}>
              <ConversationView
                key={conversationId}
                conversationId={conversationId}
                version={version}
                agents={agents}
                queues={queues}
                labels={labels}
                onBack={narrow ? () => navigate('/inbox') : undefined}
                onChanged={refreshList}
              />
            </Box>
          ) : (
            <EmptyState
              title="Pick a conversation"
              hint="Choose one from the list, or press j to open the first. Press ? for every shortcut."
            />
          )}
        </Paper>
      )}
      <ShortcutsHelp opened={helpOpen} onClose={() => setHelpOpen(false)} />
    </Group>
  );
}
