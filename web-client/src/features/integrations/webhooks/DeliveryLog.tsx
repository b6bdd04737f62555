// An endpoint's deliveries, newest first, a page at a time, filtered by state. Deliveries
// have no live event: the log refreshes itself every few seconds (faster while some wait).

import { ActionIcon, Badge, Button, Group, Paper, Select, Table, Text, Tooltip } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconRefresh, IconSend } from '@tabler/icons-react';
import { Fragment, useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { QueryState } from '../../../components/QueryState';
import type { WebhookDeliveryState } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { DeliveryDetails, HttpStatus, STATE_COLORS } from './DeliveryDetails';
import { Deliveries, Redeliver } from './documents';

const PAGE = 20;
const STATES: WebhookDeliveryState[] = ['PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'FILTERED'];

export function DeliveryLog({ endpointId, refreshKey }: { endpointId: string; refreshKey: number }) {
  const [state, setState] = useState<WebhookDeliveryState | null>(null);
  // The cursors of the pages before this one, to page back.
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [log, refetch] = useQuery({
    query: Deliveries,
    variables: { endpointId, filter: state ? { state } : null, first: PAGE, after },
  });
  const [redelivering, redeliver] = useMutationAction(Redeliver, (d) => `Redelivered: ${d.redeliverWebhook.state}`);

  const nodes = log.data?.webhookDeliveries.nodes ?? [];
  const busy = nodes.some((d) => d.state === 'PENDING' || d.state === 'SENDING');
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), busy ? 2_000 : 5_000);
    return () => clearInterval(timer);
  }, [busy, refetch]);
  useEffect(() => {
    if (refreshKey) refetch({ requestPolicy: 'network-only' });
  }, [refreshKey, refetch]);

  const filter = (v: string | null) => {
    setState(v as WebhookDeliveryState | null);
    setCursors([]);
    setAfter(null);
  };

  return (
    <Paper withBorder radius="md">
      <Group justify="space-between" p="sm">
        <Text fw={600}>Delivery log</Text>
        <Group gap="xs">
          <Select
            aria-label="State"
            w={170}
            allowDeselect={false}
            data={[{ value: 'ALL', label: 'Every state' }, ...STATES]}
            value={state ?? 'ALL'}
            onChange={(v) => filter(v === 'ALL' ? null : v)}
          />
          <Tooltip label="Refresh">
            <ActionIcon variant="default" size="lg" aria-label="Refresh the log" onClick={refresh} loading={log.fetching && !log.stale}>
              <IconRefresh size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      <QueryState
        fetching={log.fetching}
        error={log.error}
        hasData={!!log.data}
        empty={nodes.length === 0}
        emptyTitle={state ? `No ${state.toLowerCase()} deliveries` : 'Nothing delivered yet'}
        emptyHint={state ? 'Clear the filter to see every delivery.' : 'Send a test ping, or wait for an event this endpoint receives.'}
      >
        <Table.ScrollContainer minWidth={680}>
          <Table verticalSpacing="xs" aria-label="Deliveries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40} aria-label="Details" />
                <Table.Th>Event type</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last status</Table.Th>
                <Table.Th>Happened</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((d) => (
                <Fragment key={d.id}>
                  <Table.Tr data-testid="delivery" data-state={d.state}>
                    <Table.Td>
                      <ActionIcon
                        variant="subtle"
                        aria-expanded={!!open[d.id]}
                        aria-label={`${open[d.id] ? 'Hide' : 'Show'} the attempts of ${d.eventType}`}
                        onClick={() => setOpen((o) => ({ ...o, [d.id]: !o[d.id] }))}
                      >
                        {open[d.id] ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                      </ActionIcon>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {d.eventType}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ minWidth: 110 }}>
                      <Badge color={STATE_COLORS[d.state]} variant="light">
                        {d.state}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{d.attemptCount}</Table.Td>
                    <Table.Td>
                      <Tooltip label={d.lastError ?? ''} disabled={!d.lastError}>
                        <span>
                          <HttpStatus code={d.lastStatus} />
                        </span>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(d.occurredAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="light"
                        leftSection={<IconSend size={14} />}
                        loading={redelivering.fetching && redelivering.operation?.variables.id === d.id}
                        disabled={d.state === 'FILTERED'}
                        aria-label={`Redeliver ${d.eventType} of ${formatDateTime(d.occurredAt)}`}
                        onClick={async () => {
                          if (await redeliver({ id: d.id })) refresh();
                        }}
                      >
                        Redeliver
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                  <Table.Tr style={{ display: open[d.id] ? undefined : 'none' }}>
                    <Table.Td colSpan={7} p={0}>
                      {open[d.id] && <DeliveryDetails delivery={d} />}
                    </Table.Td>
                  </Table.Tr>
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="space-between" p="sm">
          <Text size="xs" c="dimmed">
            Page {cursors.length + 1}
          </Text>
          <Group gap="xs">
            <Button
              variant="default"
              size="xs"
              disabled={cursors.length === 0}
              onClick={() => {
                setAfter(cursors[cursors.length - 1] ?? null);
                setCursors((c) => c.slice(0, -1));
              }}
            >
              Newer
            </Button>
            <Button
              variant="default"
              size="xs"
              disabled={!log.data?.webhookDeliveries.pageInfo.hasNextPage}
              onClick={() => {
                setCursors((c) => [...c, after]);
                setAfter(log.data?.webhookDeliveries.pageInfo.endCursor ?? null);
              }}
            >
              Older
            </Button>
          </Group>
        </Group>
      </QueryState>
    </Paper>
  );
}
