// The tenant's outgoing webhook endpoints: where they post, what they receive, and whether
// Switchboard had to disable them.

import { ActionIcon, Anchor, Badge, Button, Group, Paper, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { IconEdit, IconList, IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { useMutationAction } from '../../../lib/useMutationAction';
import { EndpointsList, UpdateEndpoint } from './documents';
import { endpointInput, EndpointStatus } from './EndpointStatus';

// An empty list names no WebhookEndpoint: without this, creating the first one elsewhere would leave
// the cached empty list in place.
const LIST_CONTEXT = { additionalTypenames: ['WebhookEndpoint'] };

export function WebhooksPage() {
  const [list, refetch] = useQuery({ query: EndpointsList, context: LIST_CONTEXT });
  const [, update] = useMutationAction(UpdateEndpoint, (d) => `Endpoint ${d.updateWebhookEndpoint.enabled ? 'enabled' : 'disabled'}`);
  const endpoints = list.data?.webhookEndpoints ?? [];

  return (
    <>
      <PageHeader
        title="Outgoing webhooks"
        description="Switchboard posts events to your systems, shaped by a GraphQL subscription document per event type and signed with each endpoint's secret."
        actions={
          <Button component={Link} to="/webhooks/new" leftSection={<IconPlus size={16} />}>
            New endpoint
          </Button>
        }
      />
      <Paper withBorder radius="md">
        <QueryState
          fetching={list.fetching}
          error={list.error}
          hasData={!!list.data}
          empty={endpoints.length === 0}
          emptyTitle="No endpoints yet"
          emptyHint="Add an endpoint to have Switchboard post messages, conversations and template reviews to your systems."
          emptyAction={
            <Button component={Link} to="/webhooks/new" variant="light">
              New endpoint
            </Button>
          }
        >
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Endpoint</Table.Th>
                  <Table.Th>Enabled</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Event types</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {endpoints.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>
                      <Stack gap={0}>
                        <Anchor component={Link} to={`/webhooks/${e.id}`} size="sm" fw={500} style={{ wordBreak: 'break-all' }}>
                          {e.url}
                        </Anchor>
                        {e.description && (
                          <Text size="xs" c="dimmed">
                            {e.description}
                          </Text>
                        )}
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        aria-label={`Enabled: ${e.url}`}
                        checked={e.enabled}
                        onChange={async (ev) => {
                          const enabled = ev.currentTarget.checked;
                          if (await update({ id: e.id, input: endpointInput(e, { enabled }) })) refetch({ requestPolicy: 'network-only' });
                        }}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="outline" color="gray">
                        {e.role}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} maw={320}>
                        {e.events.map((s) => (
                          <Badge key={s.event} size="sm" variant="light">
                            {s.event}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <EndpointStatus endpoint={e} />
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Tooltip label="Delivery log">
                          <ActionIcon variant="subtle" component={Link} to={`/webhooks/${e.id}`} aria-label={`Delivery log of ${e.url}`}>
                            <IconList size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label="Edit">
                          <ActionIcon variant="subtle" component={Link} to={`/webhooks/${e.id}/edit`} aria-label={`Edit ${e.url}`}>
                            <IconEdit size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </QueryState>
      </Paper>
    </>
  );
}
