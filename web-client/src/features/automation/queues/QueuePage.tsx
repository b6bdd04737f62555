import { Anchor, Badge, Breadcrumbs, Button, Group, Paper, Select, Stack, Tabs, Text } from '@mantine/core';
import { IconClock, IconMessageBolt, IconMoodSmile, IconSettings, IconTrash, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { EmptyState, QueryState } from '../../../components/QueryState';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useFormMutation } from '../shared/useFormMutation';
import { AutomationsEditor } from './AutomationsEditor';
import { CsatEditor } from './CsatEditor';
import { DeleteQueueMutation, QueueDetailQuery, QueuesListQuery, UpdateQueueMutation } from './documents';
import { describeSpans, draftFromApi, dayLabel, WEEKDAYS } from './hours';
import { HoursEditor } from './HoursEditor';
import { MembersEditor } from './MembersEditor';
import { modeLabel, QueueSettingsForm, type QueueSettings } from './QueueSettingsForm';
import { QueueStatsSummary } from './QueueStatsSummary';

export function QueuePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: QueueDetailQuery, variables: { id } });
  const [queues] = useQuery({ query: QueuesListQuery });
  const client = useClient();
  const update = useFormMutation(UpdateQueueMutation, 'Queue saved');
  const remove = useFormMutation(DeleteQueueMutation, 'Queue deleted');
  const [deleting, setDeleting] = useState(false);
  const [moveTo, setMoveTo] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>('members');
  const queue = data?.queue;
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  const onSettings = async (v: QueueSettings) => {
    const ok = await update.run({
      id,
      input: {
        name: v.name.trim(),
        assignmentMode: v.assignmentMode,
        language: v.language.trim() || null,
        firstResponseMinutes: v.firstResponseMinutes === '' ? null : v.firstResponseMinutes,
        // Only a change to true means something: the default cannot be unset directly.
        ...(v.isDefault && !queue?.isDefault ? { isDefault: true } : {}),
      },
    });
    if (ok) refresh();
  };

  const onDelete = async () => {
    const ok = await remove.run({ id, moveTo });
    if (!ok) return;
    // A Boolean answer names no type the cache could drop: refresh the list before showing it.
    await client.query(QueuesListQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    void navigate('/queues');
  };

  if (!fetching && data && !queue) {
    return <EmptyState title="This queue does not exist" hint="It may have been deleted. Go back to the queues." action={<Anchor component={Link} to="/queues">All queues</Anchor>} />;
  }

  return (
    <QueryState fetching={fetching} error={error} hasData={!!queue}>
      {queue && (
        <Stack>
          <Breadcrumbs>
            <Anchor component={Link} to="/queues" size="sm">
              Queues
            </Anchor>
            <Text size="sm">{queue.name}</Text>
          </Breadcrumbs>
          <PageHeader
            title={queue.name}
            description={
              <Group gap="xs" component="span">
                {queue.isDefault && <Badge variant="light">Default queue</Badge>}
                <Badge variant="dot" color={queue.openNow ? 'teal' : 'gray'}>
                  {queue.hours ? (queue.openNow ? 'Open now' : 'Closed now') : 'Always open'}
                </Badge>
                <Badge variant="light" color="gray">
                  {modeLabel(queue.assignmentMode)}
                </Badge>
                <Badge variant="light" color={queue.csat.enabled ? 'teal' : 'gray'}>
                  CSAT {queue.csat.enabled ? 'on' : 'off'}
                </Badge>
              </Group>
            }
            actions={
              <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)} disabled={queue.isDefault} title={queue.isDefault ? 'The default queue cannot be deleted' : undefined}>
                Delete queue
              </Button>
            }
          />
          <Paper withBorder radius="md" p="md">
            <QueueStatsSummary queueId={queue.id} target={queue.firstResponseMinutes} />
          </Paper>
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="members" leftSection={<IconUsers size={16} />}>
                Members ({queue.members.length})
              </Tabs.Tab>
              <Tabs.Tab value="hours" leftSection={<IconClock size={16} />}>
                Business hours
              </Tabs.Tab>
              <Tabs.Tab value="automations" leftSection={<IconMessageBolt size={16} />}>
                Automated messages
              </Tabs.Tab>
              <Tabs.Tab value="csat" leftSection={<IconMoodSmile size={16} />}>
                Satisfaction
              </Tabs.Tab>
              <Tabs.Tab value="settings" leftSection={<IconSettings size={16} />}>
                Settings
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="members" pt="md">
              <MembersEditor
                key={queue.updatedAt}
                queueId={queue.id}
                initial={queue.members.map((m) => ({ userId: m.userId, name: m.user.name || m.user.email, capacity: m.capacity }))}
                onSaved={refresh}
              />
            </Tabs.Panel>
            <Tabs.Panel value="hours" pt="md">
              {queue.hours && (
                <Text size="sm" c="dimmed" mb="sm" data-testid="hours-summary">
                  {queue.hours.timeZone}: {WEEKDAYS.map((d) => `${dayLabel(d).slice(0, 3)} ${describeSpans(draftFromApi(queue.hours)?.days[d] ?? [])}`).join(' · ')}
                </Text>
              )}
              <HoursEditor key={queue.updatedAt} queueId={queue.id} initial={draftFromApi(queue.hours)} onSaved={refresh} />
            </Tabs.Panel>
            <Tabs.Panel value="automations" pt="md">
              <AutomationsEditor queueId={queue.id} initial={queue.automations} />
            </Tabs.Panel>
            <Tabs.Panel value="csat" pt="md">
              <CsatEditor queueId={queue.id} initial={queue.csat} />
            </Tabs.Panel>
            <Tabs.Panel value="settings" pt="md">
              <Paper withBorder radius="md" p="md" maw={640}>
                <QueueSettingsForm
                  key={queue.updatedAt}
                  initial={{
                    name: queue.name,
                    assignmentMode: queue.assignmentMode,
                    language: queue.language ?? '',
                    firstResponseMinutes: queue.firstResponseMinutes ?? '',
                    isDefault: queue.isDefault,
                  }}
                  defaultLocked={queue.isDefault}
                  submitLabel="Save settings"
                  onSubmit={(v) => void onSettings(v)}
                  fetching={update.fetching}
                  error={update.error}
                />
              </Paper>
            </Tabs.Panel>
          </Tabs>
          <ConfirmDialog
            opened={deleting}
            title={`Delete ${queue.name}?`}
            onClose={() => setDeleting(false)}
            onConfirm={() => void onDelete()}
            loading={remove.fetching}
            error={remove.error}
            errorTitle="Not deleted"
          >
            <Text size="sm">Its conversations not yet resolved, its quick replies and the channels that use it as their default move to the queue you pick.</Text>
            <Select
              label="Move its conversations to"
              placeholder="Only needed while it has unresolved conversations"
              data={(queues.data?.queues ?? []).filter((q) => q.id !== queue.id).map((q) => ({ value: q.id, label: q.name }))}
              value={moveTo}
              onChange={setMoveTo}
              clearable
              comboboxProps={{ withinPortal: false }}
            />
          </ConfirmDialog>
        </Stack>
      )}
    </QueryState>
  );
}
