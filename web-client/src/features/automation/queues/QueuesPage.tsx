import { Anchor, Avatar, Badge, Button, Group, Modal, Paper, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { CreateQueueMutation, QueuesListQuery, QueueWaitingQuery } from './documents';
import { modeLabel, QueueSettingsForm, type QueueSettings } from './QueueSettingsForm';
import { useConversationChangeTick, useOnReconnect } from '../shared/live';
import { useFormMutation } from '../shared/useFormMutation';

// An empty list names no Queue: without this, creating the first one elsewhere would leave
// the cached empty list in place.
const LIST_CONTEXT = { additionalTypenames: ['Queue'] };

function initials(name: string | null, email: string): string {
  const source = name || email;
  return source
    .split(/[\s@.]+/)
    .slice(0, 2)
    .map((p) => p.charAt(0).toUpperCase())
    .join('');
}

/** Waiting conversations now; a small query per row (a tenant has a handful of queues). */
function WaitingCell({ queueId, tick }: { queueId: string; tick: number }) {
  // A new window per tick: the variables change, so the counts are asked again.
  const window = useMemo(() => {
    const to = new Date();
    return { from: new Date(to.getTime() - 60_000).toISOString(), to: to.toISOString(), tick };
  }, [tick]);
  const [{ data, error }] = useQuery({ query: QueueWaitingQuery, variables: { queueId, from: window.from, to: window.to } });
  if (error) return <Text size="sm" c="dimmed">–</Text>;
  if (!data) return <Text size="sm" c="dimmed">…</Text>;
  const { waiting, assigned } = data.queueStats;
  return (
    <Stack gap={0}>
      <Text size="sm" fw={600} c={waiting > 0 ? 'orange' : undefined}>
        {waiting} waiting
      </Text>
      <Text size="xs" c="dimmed">
        {assigned} assigned
      </Text>
    </Stack>
  );
}

export function QueuesPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: QueuesListQuery, context: LIST_CONTEXT });
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const create = useFormMutation(CreateQueueMutation, 'Queue created');
  const queues = data?.queues ?? [];
  const tick = useConversationChangeTick();
  const [reconnects, setReconnects] = useState(0);
  useOnReconnect(() => {
    reexecute({ requestPolicy: 'network-only' });
    setReconnects((n) => n + 1);
  });

  const onCreate = async (v: QueueSettings) => {
    const result = await create.run({
      input: {
        name: v.name.trim(),
        assignmentMode: v.assignmentMode,
        language: v.language.trim() || null,
        firstResponseMinutes: v.firstResponseMinutes === '' ? null : v.firstResponseMinutes,
        isDefault: v.isDefault,
      },
    });
    if (!result) return;
    setCreating(false);
    reexecute({ requestPolicy: 'network-only' });
    void navigate(`/queues/${result.createQueue.id}`);
  };

  const newButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
      New queue
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Queues"
        description="Where conversations wait for an agent: members, business hours, automated messages and satisfaction surveys."
        actions={newButton}
      />
      <QueryState fetching={fetching} error={error} hasData={!!data} empty={queues.length === 0} emptyTitle="No queues yet" emptyHint="Create a queue and add agents to it.">
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Queue</Table.Th>
                  <Table.Th>Now</Table.Th>
                  <Table.Th>Members</Table.Th>
                  <Table.Th>Assignment</Table.Th>
                  <Table.Th>Hours</Table.Th>
                  <Table.Th>CSAT</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {queues.map((q) => (
                  <Table.Tr key={q.id}>
                    <Table.Td>
                      <Group gap="xs">
                        <Anchor component={Link} to={`/queues/${q.id}`} fw={600}>
                          {q.name}
                        </Anchor>
                        {q.isDefault && (
                          <Badge size="sm" variant="light">
                            Default
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <WaitingCell queueId={q.id} tick={tick + reconnects} />
                    </Table.Td>
                    <Table.Td>
                      {q.members.length === 0 ? (
                        <Text size="sm" c="dimmed">
                          Nobody
                        </Text>
                      ) : (
                        <Tooltip.Group>
                          <Avatar.Group>
                            {q.members.slice(0, 4).map((m) => (
                              <Tooltip key={m.userId} label={`${m.user.name || m.user.email} · up to ${m.capacity}`}>
                                <Avatar size="sm" radius="xl" color="initials" name={m.user.name || m.user.email}>
                                  {initials(m.user.name, m.user.email)}
                                </Avatar>
                              </Tooltip>
                            ))}
                            {q.members.length > 4 && <Avatar size="sm" radius="xl">+{q.members.length - 4}</Avatar>}
                          </Avatar.Group>
                          <Text size="xs" c="dimmed" mt={2}>
                            {q.members.length} {q.members.length === 1 ? 'member' : 'members'}
                          </Text>
                        </Tooltip.Group>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{modeLabel(q.assignmentMode)}</Text>
                    </Table.Td>
                    <Table.Td>
                      {q.hours ? (
                        <Stack gap={2} align="flex-start">
                          <Badge variant="dot" color={q.openNow ? 'teal' : 'gray'}>
                            {q.openNow ? 'Open' : 'Closed'}
                          </Badge>
                          <Text size="xs" c="dimmed">
                            {q.hours.timeZone}
                          </Text>
                        </Stack>
                      ) : (
                        <Text size="sm" c="dimmed">
                          Always open
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={q.csat.enabled ? 'teal' : 'dimmed'} fw={q.csat.enabled ? 600 : undefined}>
                        {q.csat.enabled ? 'On' : 'Off'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      </QueryState>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New queue" size="lg">
        <QueueSettingsForm
          initial={{ name: '', assignmentMode: 'MANUAL', language: '', firstResponseMinutes: '', isDefault: false }}
          submitLabel="Create queue"
          onSubmit={(v) => void onCreate(v)}
          onCancel={() => setCreating(false)}
          fetching={create.fetching}
          error={create.error}
        />
      </Modal>
    </>
  );
}
