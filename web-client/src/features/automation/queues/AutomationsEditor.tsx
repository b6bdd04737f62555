import { Badge, Button, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { AutomationQueueAutomationFieldsFragment, QueueAutomationInput } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { TemplatesQuery, UpdateAutomationsMutation } from './documents';
import { useFormMutation } from '../shared/useFormMutation';

type Kind = 'welcome' | 'outOfHours' | 'waiting' | 'resolved';
type Draft = { enabled: boolean; text: string; templateId: string | null; afterMinutes: number | string; variables: { key: string; value: string }[]; updatedAt: string | null };

const KINDS: { key: Kind; title: string; hint: string }[] = [
  { key: 'welcome', title: 'Welcome', hint: 'The first message of a new conversation.' },
  { key: 'outOfHours', title: 'Out of hours', hint: 'A new conversation while the queue is outside its business hours.' },
  { key: 'waiting', title: 'Still waiting', hint: 'A conversation waiting unassigned for a while.' },
  { key: 'resolved', title: 'Resolved', hint: 'A conversation resolved.' },
];

function toDraft(a: AutomationQueueAutomationFieldsFragment): Draft {
  return {
    enabled: a.enabled,
    text: a.text ?? '',
    templateId: a.templateId,
    afterMinutes: a.afterMinutes ?? 5,
    variables: a.templateVariables.map(({ key, value }) => ({ key, value })),
    updatedAt: a.updatedAt,
  };
}

function toInput(kind: Kind, d: Draft): QueueAutomationInput {
  return {
    enabled: d.enabled,
    text: d.text.trim() || null,
    templateId: d.templateId,
    templateVariables: d.variables,
    afterMinutes: kind === 'waiting' ? Number(d.afterMinutes) : null,
  };
}

export type QueueAutomationsData = Record<Kind, AutomationQueueAutomationFieldsFragment>;

/** The queue's four automated messages: text inside the 24-hour window, a template outside it. */
export function AutomationsEditor({ queueId, initial }: { queueId: string; initial: QueueAutomationsData }) {
  const [drafts, setDrafts] = useState<Record<Kind, Draft>>(() => ({
    welcome: toDraft(initial.welcome),
    outOfHours: toDraft(initial.outOfHours),
    waiting: toDraft(initial.waiting),
    resolved: toDraft(initial.resolved),
  }));
  const [templates] = useQuery({ query: TemplatesQuery });
  const save = useFormMutation(UpdateAutomationsMutation, 'Automated messages saved');
  const templateOptions = (templates.data?.templates ?? []).map((t) => ({ value: t.id, label: `${t.name} (${t.language})` }));
  const set = (kind: Kind, patch: Partial<Draft>) => setDrafts((d) => ({ ...d, [kind]: { ...d[kind], ...patch } }));

  const onSave = async () => {
    const result = await save.run({
      queueId,
      input: {
        welcome: toInput('welcome', drafts.welcome),
        outOfHours: toInput('outOfHours', drafts.outOfHours),
        waiting: toInput('waiting', drafts.waiting),
        resolved: toInput('resolved', drafts.resolved),
      },
    });
    if (result) {
      const a = result.updateQueueAutomations;
      setDrafts({ welcome: toDraft(a.welcome), outOfHours: toDraft(a.outOfHours), waiting: toDraft(a.waiting), resolved: toDraft(a.resolved) });
    }
  };

  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {KINDS.map(({ key, title, hint }) => {
          const d = drafts[key];
          return (
            <Paper key={key} withBorder radius="md" p="md">
              <Stack gap="xs">
                <Group justify="space-between">
                  <Text fw={600}>{title}</Text>
                  <Switch aria-label={`Send the ${title.toLowerCase()} message`} checked={d.enabled} onChange={(e) => set(key, { enabled: e.currentTarget.checked })} />
                </Group>
                <Text size="xs" c="dimmed">
                  {hint}
                </Text>
                <Textarea
                  label={`${title} text`}
                  description="Sent as written while the 24-hour window is open"
                  autosize
                  minRows={2}
                  value={d.text}
                  onChange={(e) => set(key, { text: e.currentTarget.value })}
                />
                <Select
                  label="Template when the window is closed"
                  placeholder={templateOptions.length ? 'None' : 'No templates yet'}
                  data={templateOptions}
                  value={d.templateId}
                  onChange={(v) => set(key, { templateId: v })}
                  clearable
                />
                {key === 'waiting' && (
                  <NumberInput
                    label="After minutes waiting"
                    description="0 to 10080; 0 sends at the next sweep"
                    min={0}
                    max={10080}
                    allowDecimal={false}
                    value={d.afterMinutes}
                    onChange={(v) => set(key, { afterMinutes: v })}
                  />
                )}
                <Group gap="xs">
                  <Badge variant="light" color={d.enabled ? 'teal' : 'gray'}>
                    {d.enabled ? 'On' : 'Off'}
                  </Badge>
                  {d.updatedAt && (
                    <Text size="xs" c="dimmed">
                      Changed {formatDateTime(d.updatedAt)}
                    </Text>
                  )}
                </Group>
              </Stack>
            </Paper>
          );
        })}
      </SimpleGrid>
      {save.error && <ErrorAlert error={save.error} title="Automated messages not saved" />}
      <Group justify="flex-end">
        <Button onClick={() => void onSave()} loading={save.fetching}>
          Save automated messages
        </Button>
      </Group>
    </Stack>
  );
}
