// The templates of the tenant's channels, with their review status kept live by
// `templateEvents`: a review at the provider turns the badge without a reload.

import { ActionIcon, Button, Code, Group, Paper, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconEdit, IconPlus, IconRefresh, IconSend, IconTrash } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { IntegrationsTemplateFieldsFragment } from '../../../gql/graphql';
import { connection } from '../../../lib/client';
import { notifySuccess } from '../../../lib/notify';
import { hasRole, useSession } from '../../../lib/session';
import { formatShort } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { DeleteTemplate, SubmitTemplate, SyncTemplates, TemplatesChannels, TemplatesList, TemplateStatusEvents } from './documents';
import { TemplateStatusBadge } from './TemplateStatusBadge';

// An empty list names no Template: without this, creating the first one elsewhere would leave
// the cached empty list in place.
const LIST_CONTEXT = { additionalTypenames: ['Template'] };

type Template = IntegrationsTemplateFieldsFragment;

export function TemplatesPage() {
  const session = useSession();
  const canEdit = hasRole(session, 'ADMIN');
  const [search, setSearch] = useSearchParams();
  const channelId = search.get('channel') ?? null;
  const [channels] = useQuery({ query: TemplatesChannels });
  const [list, refetch] = useQuery({ query: TemplatesList, variables: { channelId }, context: LIST_CONTEXT });
  const [live, setLive] = useState<Record<string, Template>>({});
  const [deleting, setDeleting] = useState<Template | null>(null);

  // A status event carries the whole template: show it at once, then refresh the list.
  useSubscription({ query: TemplateStatusEvents, variables: { channelId }, pause: !canEdit }, (_, event) => {
    const t = event.templateEvents.template;
    setLive((m) => ({ ...m, [t.id]: t }));
    refetch({ requestPolicy: 'network-only' });
    return event;
  });
  useEffect(
    () => connection.subscribe((_, reconnected) => reconnected && refetch({ requestPolicy: 'network-only' })),
    [refetch],
  );

  const [syncState, sync] = useMutationAction(SyncTemplates);
  const [, submit] = useMutationAction(SubmitTemplate, (d) => `${d.submitTemplate.name} is ${d.submitTemplate.status}`);
  const [removeState, remove] = useMutationAction(DeleteTemplate, 'Template deleted');

  const channelList = channels.data?.channels ?? [];
  const channelName = (id: string) => channelList.find((c) => c.id === id)?.name ?? '';
  const providerOf = (id: string) => channelList.find((c) => c.id === id)?.provider;

  const syncNow = async () => {
    const targets = channelId ? [channelId] : channelList.map((c) => c.id);
    let count = 0;
    for (const target of targets) {
      const done = await sync({ channelId: target });
      if (!done) return;
      count += done.syncTemplates.length;
    }
    setLive({});
    refetch({ requestPolicy: 'network-only' });
    notifySuccess(`Synced: ${count} template${count === 1 ? '' : 's'} at the provider`);
  };

  const rows = (list.data?.templates ?? []).map((t) => live[t.id] && live[t.id].updatedAt >= t.updatedAt ? live[t.id] : t);

  return (
    <>
      <PageHeader
        title="Templates"
        description="Messages WhatsApp approved in advance: the only ones that go out when the 24-hour window is closed, and in campaigns."
        actions={
          <>
            <Select
              aria-label="Channel"
              w={200}
              allowDeselect={false}
              data={[{ value: 'ALL', label: 'All channels' }, ...channelList.map((c) => ({ value: c.id, label: c.name }))]}
              value={channelId ?? 'ALL'}
              onChange={(v) => setSearch(v && v !== 'ALL' ? { channel: v } : {})}
            />
            {canEdit && (
              <>
                <Button
                  variant="default"
                  leftSection={<IconRefresh size={16} />}
                  loading={syncState.fetching}
                  disabled={channelList.length === 0}
                  onClick={() => void syncNow()}
                >
                  Sync
                </Button>
                <Button component={Link} to={channelId ? `/templates/new?channel=${channelId}` : '/templates/new'} leftSection={<IconPlus size={16} />}>
                  New template
                </Button>
              </>
            )}
          </>
        }
      />
      <Paper withBorder radius="md">
        <QueryState
          fetching={list.fetching}
          error={list.error}
          hasData={!!list.data}
          empty={rows.length === 0}
          emptyTitle="No templates yet"
          emptyHint={
            channelList.length === 0
              ? 'Connect a channel first: templates belong to a channel’s number.'
              : 'Create one, or press Sync to fetch the ones your provider already has.'
          }
        >
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Language</Table.Th>
                  <Table.Th>Category</Table.Th>
                  <Table.Th>Channel</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Updated</Table.Th>
                  {canEdit && <Table.Th aria-label="Actions" />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((t) => (
                  <Table.Tr key={t.id} data-testid={`template-${t.name}`}>
                    <Table.Td>
                      <Stack gap={0}>
                        <Text fw={500} size="sm">
                          {t.name}
                        </Text>
                        <Text size="xs" c="dimmed" lineClamp={1} maw={280}>
                          {t.body}
                        </Text>
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      <Code>{t.language}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{t.category ? t.category.charAt(0) + t.category.slice(1).toLowerCase() : '—'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{channelName(t.channelId)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <TemplateStatusBadge status={t.status} rejectionReason={t.rejectionReason} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {formatShort(t.updatedAt)}
                      </Text>
                    </Table.Td>
                    {canEdit && (
                      <Table.Td>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          {(t.status === 'UNSUBMITTED' || providerOf(t.channelId) === 'TWILIO') && (
                            <Tooltip label="Submit for approval">
                              <ActionIcon variant="subtle" aria-label={`Submit ${t.name} for approval`} onClick={() => void submit({ id: t.id })}>
                                <IconSend size={16} />
                              </ActionIcon>
                            </Tooltip>
                          )}
                          <Tooltip label="Edit">
                            <ActionIcon variant="subtle" component={Link} to={`/templates/${t.id}`} aria-label={`Edit ${t.name}`}>
                              <IconEdit size={16} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label="Delete">
                            <ActionIcon variant="subtle" color="red" aria-label={`Delete ${t.name}`} onClick={() => setDeleting(t)}>
                              <IconTrash size={16} />
                            </ActionIcon>
                          </Tooltip>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </QueryState>
      </Paper>
      <ConfirmDialog
        opened={!!deleting}
        title="Delete this template?"
        confirmLabel="Delete template"
        cancelLabel="Keep it"
        loading={removeState.fetching}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          if (await remove({ id: deleting.id })) {
            setDeleting(null);
            refetch({ requestPolicy: 'network-only' });
          }
        }}
      >
        <Text size="sm">
          <b>{deleting?.name}</b> ({deleting?.language}) is deleted at the provider and here. Campaigns and automated messages
          that use it stop sending it.
        </Text>
      </ConfirmDialog>
    </>
  );
}
