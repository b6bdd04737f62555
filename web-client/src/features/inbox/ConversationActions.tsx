// What an agent does with a conversation: assign (to me or a teammate), unassign, transfer
// to another queue, snooze (presets or a chosen time), resolve and reopen. Success shows in
// the header itself (status, queue, assignee), so only failures raise a notification.

import { Button, Group, Menu, Modal, Stack } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { IconArrowsExchange, IconCheck, IconChevronDown, IconClockPause, IconRotate, IconUserCheck } from '@tabler/icons-react';
import dayjs from 'dayjs';
import { useState } from 'react';
import type { ConversationStatus } from '../../gql/graphql';
import { useSession } from '../../lib/session';
import { useMutationAction } from '../../lib/useMutationAction';
import { InboxAssign, InboxReopen, InboxResolve, InboxSnooze, InboxTransfer, InboxUnassign } from './mutations';
import { snoozePresets } from './model';

export type AgentOption = { userId: string; label: string; status?: string | null };
export type QueueOption = { id: string; name: string };

export function ConversationActions({
  conversation,
  agents,
  queues,
  onChanged,
}: {
  conversation: { id: string; status: ConversationStatus; assigneeId?: string | null; queue?: { id: string } | null };
  agents: AgentOption[];
  queues: QueueOption[];
  onChanged: () => void;
}) {
  const { user } = useSession();
  const id = conversation.id;
  const [assignState, assign] = useMutationAction(InboxAssign);
  const [, unassign] = useMutationAction(InboxUnassign);
  const [transferState, transfer] = useMutationAction(InboxTransfer);
  const [snoozeState, snooze] = useMutationAction(InboxSnooze);
  const [resolveState, resolve] = useMutationAction(InboxResolve);
  const [reopenState, reopen] = useMutationAction(InboxReopen);
  const [customOpen, setCustomOpen] = useState(false);
  const [customUntil, setCustomUntil] = useState<string | null>(null);
  const after = (ok: unknown) => {
    if (ok) onChanged();
  };

  if (conversation.status === 'RESOLVED') {
    return (
      <Button
        size="xs"
        variant="light"
        leftSection={<IconRotate size={14} />}
        loading={reopenState.fetching}
        onClick={async () => after(await reopen({ id }))}
      >
        Reopen
      </Button>
    );
  }

  const otherQueues = queues.filter((q) => q.id !== conversation.queue?.id);
  return (
    <Group gap="xs">
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button size="xs" variant="default" leftSection={<IconUserCheck size={14} />} rightSection={<IconChevronDown size={12} />} loading={assignState.fetching}>
            Assign
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item disabled={conversation.assigneeId === user.id} onClick={async () => after(await assign({ id, userId: user.id }))}>
            Assign to me
          </Menu.Item>
          <Menu.Label>Teammates</Menu.Label>
          {agents
            .filter((a) => a.userId !== user.id)
            .map((a) => (
              <Menu.Item
                key={a.userId}
                disabled={conversation.assigneeId === a.userId}
                onClick={async () => after(await assign({ id, userId: a.userId }))}
              >
                {`Assign to ${a.label}`}
                {a.status ? ` · ${a.status.toLowerCase()}` : ''}
              </Menu.Item>
            ))}
          <Menu.Divider />
          <Menu.Item color="red" disabled={!conversation.assigneeId} onClick={async () => after(await unassign({ id }))}>
            Unassign
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button size="xs" variant="default" leftSection={<IconArrowsExchange size={14} />} rightSection={<IconChevronDown size={12} />} loading={transferState.fetching}>
            Transfer
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>To another queue</Menu.Label>
          {otherQueues.length === 0 && <Menu.Item disabled>There is no other queue</Menu.Item>}
          {otherQueues.map((q) => (
            <Menu.Item key={q.id} onClick={async () => after(await transfer({ id, input: { queueId: q.id } }))}>
              {`Transfer to ${q.name}`}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button size="xs" variant="default" leftSection={<IconClockPause size={14} />} rightSection={<IconChevronDown size={12} />} loading={snoozeState.fetching}>
            Snooze
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {snoozePresets().map((p) => (
            <Menu.Item key={p.label} onClick={async () => after(await snooze({ id, until: p.until.toISOString() }))}>
              {`Snooze ${p.label}`}
            </Menu.Item>
          ))}
          <Menu.Item onClick={async () => after(await snooze({ id, until: null }))}>Until the customer writes</Menu.Item>
          <Menu.Item onClick={() => setCustomOpen(true)}>Pick a time…</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Button
        size="xs"
        color="teal"
        leftSection={<IconCheck size={14} />}
        loading={resolveState.fetching}
        onClick={async () => after(await resolve({ id }))}
      >
        Resolve
      </Button>
      <Modal opened={customOpen} onClose={() => setCustomOpen(false)} title="Snooze until" closeButtonProps={{ "aria-label": "Close" }}>
        <Stack>
          <DateTimePicker
            label="Comes back at"
            placeholder="Pick a date and time"
            minDate={new Date()}
            value={customUntil}
            onChange={setCustomUntil}
            popoverProps={{ withinPortal: false }}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setCustomOpen(false)}>
              Cancel
            </Button>
            <Button
              disabled={!customUntil}
              onClick={async () => {
                if (!customUntil) return;
                setCustomOpen(false);
                after(await snooze({ id, until: dayjs(customUntil).toISOString() }));
              }}
            >
              Snooze
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}

/** Resolves from a keyboard shortcut, with the same feedback as the button. */
export function useResolve() {
  return useMutationAction(InboxResolve)[1];
}
