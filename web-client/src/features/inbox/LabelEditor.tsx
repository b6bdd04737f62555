// The conversation's labels: each removable, and a picker to add one of the tenant's.

import { ActionIcon, Badge, Group, Popover, Select, Text } from '@mantine/core';
import { IconTagPlus, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useMutationAction } from '../../lib/useMutationAction';
import { InboxLabel, InboxUnlabel } from './mutations';

type Label = { id: string; name: string; color: string };

export function LabelEditor({
  conversationId,
  labels,
  allLabels,
  onChanged,
}: {
  conversationId: string;
  labels: Label[];
  allLabels: Label[];
  onChanged: () => void;
}) {
  const [opened, setOpened] = useState(false);
  const [, label] = useMutationAction(InboxLabel);
  const [, unlabel] = useMutationAction(InboxUnlabel);
  const have = new Set(labels.map((l) => l.id));
  const choices = allLabels.filter((l) => !have.has(l.id)).map((l) => ({ value: l.id, label: l.name }));
  return (
    <Group gap={4} aria-label="Labels">
      {labels.map((l) => (
        <Badge
          key={l.id}
          variant="light"
          color={l.color}
          rightSection={
            <ActionIcon
              size="xs"
              variant="transparent"
              color={l.color}
              aria-label={`Remove label ${l.name}`}
              onClick={async () => {
                if (await unlabel({ id: conversationId, labelIds: [l.id] })) onChanged();
              }}
            >
              <IconX size={10} />
            </ActionIcon>
          }
        >
          {l.name}
        </Badge>
      ))}
      <Popover opened={opened} onChange={setOpened} position="bottom-start" withArrow trapFocus>
        <Popover.Target>
          <ActionIcon variant="subtle" size="sm" aria-label="Add a label" onClick={() => setOpened((o) => !o)}>
            <IconTagPlus size={16} />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown>
          {choices.length === 0 ? (
            <Text size="sm" c="dimmed" maw={220}>
              {allLabels.length === 0 ? 'The workspace has no labels yet: an admin creates them under Labels.' : 'Every label is on already.'}
            </Text>
          ) : (
            <Select
              label="Label to add"
              placeholder="Pick a label"
              data={choices}
              searchable
              comboboxProps={{ withinPortal: false }}
              onChange={async (id) => {
                if (!id) return;
                setOpened(false);
                if (await label({ id: conversationId, labelIds: [id] })) onChanged();
              }}
            />
          )}
        </Popover.Dropdown>
      </Popover>
    </Group>
  );
}
