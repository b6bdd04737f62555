import { ActionIcon, Badge, Button, Grid, Group, Modal, Paper, Stack, Switch, Table, Text } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useDeleteConfirm } from '../shared/useDeleteConfirm';
import { useFormMutation } from '../shared/useFormMutation';
import { describeCondition } from './conditions';
import { DeleteRoutingRule, ReorderRoutingRules, RoutingContextQuery, RoutingRulesQuery, UpdateRoutingRule } from './documents';
import { RuleForm, type RuleRow } from './RuleForm';
import { TestRoutingBox } from './TestRoutingBox';

/** The ids with the one at `index` moved by `delta` places. */
export function moved(ids: string[], index: number, delta: number): string[] {
  const target = index + delta;
  if (target < 0 || target >= ids.length) return ids;
  const next = [...ids];
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}

export function RoutingPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RoutingRulesQuery });
  const [context] = useQuery({ query: RoutingContextQuery });
  const [editing, setEditing] = useState<RuleRow | 'new' | null>(null);
  const reorder = useFormMutation(ReorderRoutingRules);
  const toggle = useFormMutation(UpdateRoutingRule);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const { deleting, setDeleting, dialog: deleteDialog } = useDeleteConfirm<RuleRow>(DeleteRoutingRule, 'Rule deleted', refresh);
  const rules = [...(data?.routingRules ?? [])].sort((a, b) => a.position - b.position);
  const names = {
    channels: new Map((context.data?.channels ?? []).map((c) => [c.id, c.name])),
    queues: new Map((context.data?.queues ?? []).map((q) => [q.id, q.name])),
  };

  const move = async (index: number, delta: number) => {
    const ids = rules.map((r) => r.id);
    const next = moved(ids, index, delta);
    if (next !== ids && (await reorder.run({ ids: next }))) refresh();
  };

  return (
    <>
      <PageHeader
        title="Routing rules"
        description="Tried in order for each new conversation: the first enabled rule whose conditions all hold picks the queue; else the channel's default queue, else the team's."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} disabled={!context.data}>
            New rule
          </Button>
        }
      />
      {context.error && <ErrorAlert error={context.error} title="Queues and channels cannot be loaded" />}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack>
            {(reorder.error || toggle.error) && <ErrorAlert error={reorder.error ?? toggle.error} title="Not changed" />}
            <QueryState fetching={fetching} error={error} hasData={!!data} empty={rules.length === 0} emptyTitle="No routing rules yet" emptyHint="Every new conversation goes to its channel's default queue. Add a rule to send, say, refund requests to Billing.">
              <Paper withBorder radius="md">
                <Table.ScrollContainer minWidth={560}>
                  <Table verticalSpacing="sm" aria-label="Routing rules">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th w={70}>Order</Table.Th>
                        <Table.Th>Rule</Table.Th>
                        <Table.Th>Queue</Table.Th>
                        <Table.Th w={70}>On</Table.Th>
                        <Table.Th w={90}>
                          <span className="visually-hidden">Actions</span>
                        </Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {rules.map((r, i) => (
                        <Table.Tr key={r.id} opacity={r.enabled ? 1 : 0.6}>
                          <Table.Td>
                            <Group gap={2} wrap="nowrap">
                              <ActionIcon variant="subtle" size="sm" aria-label={`Move ${r.name} up`} disabled={i === 0} onClick={() => void move(i, -1)}>
                                <IconArrowUp size={14} />
                              </ActionIcon>
                              <ActionIcon variant="subtle" size="sm" aria-label={`Move ${r.name} down`} disabled={i === rules.length - 1} onClick={() => void move(i, 1)}>
                                <IconArrowDown size={14} />
                              </ActionIcon>
                            </Group>
                          </Table.Td>
                          <Table.Td>
                            <Text fw={600} size="sm">
                              {i + 1}. {r.name}
                            </Text>
                            <Group gap={4} mt={4}>
                              {r.conditions.length === 0 ? (
                                <Badge size="sm" variant="light" color="gray">
                                  every conversation
                                </Badge>
                              ) : (
                                r.conditions.map((c, j) => (
                                  <Badge key={j} size="sm" variant="light" color="grape" tt="none">
                                    {describeCondition(c, names)}
                                  </Badge>
                                ))
                              )}
                            </Group>
                          </Table.Td>
                          <Table.Td>
                            <Badge variant="outline" tt="none">
                              {r.queue.name}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            <Switch
                              aria-label={`Enable ${r.name}`}
                              checked={r.enabled}
                              onChange={(e) => void toggle.run({ id: r.id, input: { enabled: e.currentTarget.checked } })}
                            />
                          </Table.Td>
                          <Table.Td>
                            <Group gap={4} wrap="nowrap">
                              <ActionIcon variant="subtle" aria-label={`Edit ${r.name}`} onClick={() => setEditing(r)} disabled={!context.data}>
                                <IconPencil size={16} />
                              </ActionIcon>
                              <ActionIcon variant="subtle" color="red" aria-label={`Delete ${r.name}`} onClick={() => setDeleting(r)}>
                                <IconTrash size={16} />
                              </ActionIcon>
                            </Group>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </Paper>
            </QueryState>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>{context.data && <TestRoutingBox channels={context.data.channels} />}</Grid.Col>
      </Grid>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New routing rule' : 'Edit routing rule'} size="xl">
        {editing !== null && context.data && (
          <RuleForm
            rule={editing === 'new' ? null : editing}
            context={context.data}
            onDone={() => {
              setEditing(null);
              refresh();
            }}
          />
        )}
      </Modal>
      <ConfirmDialog {...deleteDialog} title={`Delete ${deleting?.name ?? ''}?`}>
        Conversations it placed stay in their queues.
      </ConfirmDialog>
    </>
  );
}
