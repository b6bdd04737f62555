import { ActionIcon, Badge, Button, Group, NumberInput, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { IconTrash, IconUserPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../../gql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { PresenceStatus } from '../../../gql/graphql';
import { AgentsPresenceQuery, TenantUsersQuery, UpdateQueueMutation } from './documents';
import { useOnReconnect } from '../shared/live';
import { useFormMutation } from '../shared/useFormMutation';

const PresenceChanges = graphql(`
  subscription AutomationPresenceChanges {
    presenceEvents {
      userId
      status
      openConversations
    }
  }
`);

type Presence = { userId: string; status: PresenceStatus; openConversations: number };

export type MemberDraft = { userId: string; name: string; capacity: number };

const PRESENCE_COLOR: Record<PresenceStatus, string> = { ONLINE: 'teal', AWAY: 'yellow', OFFLINE: 'gray' };

/** The queue's members with their capacity and live presence; saved as one list. */
export function MembersEditor({ queueId, initial, onSaved }: { queueId: string; initial: MemberDraft[]; onSaved: () => void }) {
  const [members, setMembers] = useState<MemberDraft[]>(initial);
  const [candidate, setCandidate] = useState<string | null>(null);
  const [capacity, setCapacity] = useState<number | string>(5);
  const [users] = useQuery({ query: TenantUsersQuery });
  const [agents, refetchAgents] = useQuery({ query: AgentsPresenceQuery });
  // Presence as it changes, over the list read at first (or again after a reconnect).
  const [live] = useSubscription({ query: PresenceChanges }, (seen: Record<string, Presence> = {}, event) => ({
    ...seen,
    [event.presenceEvents.userId]: event.presenceEvents,
  }));
  useOnReconnect(() => refetchAgents({ requestPolicy: 'network-only' }));
  const save = useFormMutation(UpdateQueueMutation, 'Members saved');

  const presence = new Map<string, Presence>((agents.data?.agents ?? []).map((a) => [a.userId, a]));
  for (const [userId, p] of Object.entries(live.data ?? {})) presence.set(userId, p);
  const options = (users.data?.users.edges ?? [])
    .map((e) => e.node)
    .filter((u) => u.active && !members.some((m) => m.userId === u.id))
    .map((u) => ({ value: u.id, label: `${u.name || u.email} (${u.role.toLowerCase()})` }));

  const add = () => {
    const user = users.data?.users.edges.find((e) => e.node.id === candidate)?.node;
    if (!user) return;
    setMembers((m) => [...m, { userId: user.id, name: user.name || user.email, capacity: Number(capacity) || 1 }]);
    setCandidate(null);
  };

  const onSave = async () => {
    const result = await save.run({ id: queueId, input: { members: members.map(({ userId, capacity }) => ({ userId, capacity })) } });
    if (result) onSaved();
  };

  return (
    <Stack>
      {users.error && <ErrorAlert error={users.error} title="Members cannot be listed" />}
      <Paper withBorder radius="md">
        <Table verticalSpacing="xs" aria-label="Queue members">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Member</Table.Th>
              <Table.Th>Presence</Table.Th>
              <Table.Th>Capacity</Table.Th>
              <Table.Th w={50}>
                <span className="visually-hidden">Remove</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text size="sm" c="dimmed" ta="center" py="sm">
                    No members: add the agents who work this queue below.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {members.map((m, i) => {
              const agent = presence.get(m.userId);
              return (
                <Table.Tr key={m.userId}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {m.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {agent ? (
                      <Group gap={6}>
                        <Badge variant="dot" color={PRESENCE_COLOR[agent.status]}>
                          {agent.status.toLowerCase()}
                        </Badge>
                        <Text size="xs" c="dimmed">
                          {agent.openConversations} open
                        </Text>
                      </Group>
                    ) : (
                      <Text size="xs" c="dimmed">
                        –
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={`Capacity of ${m.name}`}
                      min={1}
                      max={100}
                      allowDecimal={false}
                      value={m.capacity}
                      onChange={(v) => setMembers((all) => all.map((x, j) => (j === i ? { ...x, capacity: Number(v) || 1 } : x)))}
                      w={100}
                    />
                  </Table.Td>
                  <Table.Td>
                    <ActionIcon variant="subtle" color="red" aria-label={`Remove ${m.name}`} onClick={() => setMembers((all) => all.filter((_, j) => j !== i))}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Paper>
      <Group align="flex-end">
        <Select label="Add a member" placeholder="Pick a user" searchable data={options} value={candidate} onChange={setCandidate} nothingFoundMessage="Every user is a member" w={280} />
        <NumberInput label="Capacity" description="Conversations at once, 1–100" min={1} max={100} allowDecimal={false} value={capacity} onChange={setCapacity} w={140} />
        <Button variant="light" leftSection={<IconUserPlus size={16} />} onClick={add} disabled={!candidate}>
          Add
        </Button>
      </Group>
      {save.error && <ErrorAlert error={save.error} title="Members not saved" />}
      <Group justify="flex-end">
        <Button onClick={() => void onSave()} loading={save.fetching}>
          Save members
        </Button>
      </Group>
    </Stack>
  );
}
