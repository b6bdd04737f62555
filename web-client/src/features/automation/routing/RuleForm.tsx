import { ActionIcon, Button, Group, Paper, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { AutomationRoutingContextQuery, RoutingConditionKind } from '../../../gql/graphql';
import { useFormMutation } from '../shared/useFormMutation';
import { CONDITION_KINDS, conditionProblem, conditionToInput, emptyCondition, type ConditionDraft } from './conditions';
import { CreateRoutingRule, UpdateRoutingRule } from './documents';
import { FormActions } from '../shared/FormActions';

export type RuleRow = {
  id: string;
  name: string;
  enabled: boolean;
  queue: { id: string };
  conditions: { kind: RoutingConditionKind; channelId: string | null; key: string | null; value: string | null; queueId: string | null }[];
};

function ConditionFields({ c, n, context, onChange }: { c: ConditionDraft; n: number; context: AutomationRoutingContextQuery; onChange: (c: ConditionDraft) => void }) {
  const attribute = context.contactAttributes.find((a) => a.key === c.key);
  switch (c.kind) {
    case 'CHANNEL':
      return (
        <Select
          aria-label={`Condition ${n} channel`}
          placeholder="Pick a channel"
          data={context.channels.map((ch) => ({ value: ch.id, label: ch.name }))}
          value={c.channelId}
          onChange={(v) => onChange({ ...c, channelId: v })}
          style={{ flex: 1 }}
        />
      );
    case 'KEYWORD':
    case 'PATTERN':
    case 'LANGUAGE':
      return (
        <TextInput
          aria-label={`Condition ${n} value`}
          placeholder={c.kind === 'KEYWORD' ? 'refund' : c.kind === 'PATTERN' ? '(?i)order #\\d+' : 'es'}
          value={c.value}
          onChange={(e) => onChange({ ...c, value: e.currentTarget.value })}
          style={{ flex: 1 }}
        />
      );
    case 'ATTRIBUTE':
      return (
        <Group gap="xs" style={{ flex: 1 }} wrap="nowrap">
          <Select
            aria-label={`Condition ${n} attribute`}
            placeholder={context.contactAttributes.length ? 'Attribute' : 'No attributes defined'}
            data={context.contactAttributes.map((a) => ({ value: a.key, label: a.displayName }))}
            value={c.key || null}
            onChange={(v) => onChange({ ...c, key: v ?? '', value: '' })}
            style={{ flex: 1 }}
          />
          {attribute?.type === 'CHOICE' || attribute?.type === 'BOOLEAN' ? (
            <Select
              aria-label={`Condition ${n} attribute value`}
              data={attribute.type === 'CHOICE' ? attribute.choices : ['true', 'false']}
              value={c.value || null}
              onChange={(v) => onChange({ ...c, value: v ?? '' })}
              style={{ flex: 1 }}
            />
          ) : (
            <TextInput aria-label={`Condition ${n} attribute value`} placeholder="value" value={c.value} onChange={(e) => onChange({ ...c, value: e.currentTarget.value })} style={{ flex: 1 }} />
          )}
        </Group>
      );
    case 'INSIDE_HOURS':
    case 'OUTSIDE_HOURS':
      return (
        <Select
          aria-label={`Condition ${n} queue`}
          placeholder="The rule's own queue"
          data={context.queues.map((q) => ({ value: q.id, label: q.name }))}
          value={c.queueId}
          onChange={(v) => onChange({ ...c, queueId: v })}
          clearable
          style={{ flex: 1 }}
        />
      );
  }
}

/** A rule's name, target queue, on/off and conditions (all must hold). */
export function RuleForm({ rule, context, onDone }: { rule: RuleRow | null; context: AutomationRoutingContextQuery; onDone: () => void }) {
  const [name, setName] = useState(rule?.name ?? '');
  const [queueId, setQueueId] = useState<string | null>(rule?.queue.id ?? null);
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [conditions, setConditions] = useState<ConditionDraft[]>(
    rule?.conditions.map((c) => ({ kind: c.kind, channelId: c.channelId, key: c.key ?? '', value: c.value ?? '', queueId: c.queueId })) ?? [emptyCondition()],
  );
  const [tried, setTried] = useState(false);
  const create = useFormMutation(CreateRoutingRule, 'Rule created');
  const update = useFormMutation(UpdateRoutingRule, 'Rule saved');
  const problems = conditions.map(conditionProblem);
  const invalid = !name.trim() || !queueId || problems.some(Boolean);

  const submit = async () => {
    setTried(true);
    if (invalid || !queueId) return;
    const input = { name: name.trim(), queueId, enabled, conditions: conditions.map(conditionToInput) };
    const ok = rule ? await update.run({ id: rule.id, input }) : await create.run({ input });
    if (ok) onDone();
  };
  const error = create.error ?? update.error;

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Stack>
        <TextInput label="Rule name" withAsterisk data-autofocus placeholder="Refunds to Billing" value={name} onChange={(e) => setName(e.currentTarget.value)} error={tried && !name.trim() ? 'Name the rule' : undefined} />
        <Select
          label="Send to queue"
          withAsterisk
          placeholder="Pick a queue"
          data={context.queues.map((q) => ({ value: q.id, label: q.isDefault ? `${q.name} (default)` : q.name }))}
          value={queueId}
          onChange={setQueueId}
          error={tried && !queueId ? 'Pick the queue' : undefined}
        />
        <Switch label="Enabled" description="A disabled rule is kept but skipped" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        <Text fw={600} size="sm">
          When all of these hold
        </Text>
        {conditions.length === 0 && (
          <Text size="sm" c="dimmed">
            No conditions: the rule takes every conversation that reaches it.
          </Text>
        )}
        {conditions.map((c, i) => (
          <Paper key={i} withBorder p="xs" radius="md">
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Select
                aria-label={`Condition ${i + 1} kind`}
                data={CONDITION_KINDS}
                value={c.kind}
                allowDeselect={false}
                onChange={(v) => v && setConditions((all) => all.map((x, j) => (j === i ? emptyCondition(v as RoutingConditionKind) : x)))}
                w={230}
              />
              <ConditionFields c={c} n={i + 1} context={context} onChange={(next) => setConditions((all) => all.map((x, j) => (j === i ? next : x)))} />
              <ActionIcon variant="subtle" color="red" mt={4} aria-label={`Remove condition ${i + 1}`} onClick={() => setConditions((all) => all.filter((_, j) => j !== i))}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
            {tried && problems[i] && (
              <Text size="xs" c="red" mt={4}>
                {problems[i]}
              </Text>
            )}
          </Paper>
        ))}
        <Group>
          <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setConditions((all) => [...all, emptyCondition()])}>
            Add condition
          </Button>
        </Group>
        <FormActions error={error} errorTitle="Rule not saved" onCancel={onDone} submitLabel={rule ? 'Save rule' : 'Create rule'} loading={create.fetching || update.fetching} />
      </Stack>
    </form>
  );
}
