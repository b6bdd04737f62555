import { ActionIcon, Alert, Button, Group, Paper, Select, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { DatePickerInput, TimeInput } from '@mantine/dates';
import { IconCalendarOff, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { Weekday } from '../../../gql/graphql';
import { UpdateQueueMutation } from './documents';
import { dayLabel, defaultDraft, draftToInput, spanProblem, WEEKDAYS, type HoursDraft, type Span } from './hours';
import { useFormMutation } from '../shared/useFormMutation';

function timeZones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  return supported ? supported('timeZone') : ['UTC'];
}

function SpanRow({ label, span, onChange, onRemove }: { label: string; span: Span; onChange: (s: Span) => void; onRemove: () => void }) {
  const problem = spanProblem(span);
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <TimeInput aria-label={`${label} opens`} value={span.opens} onChange={(e) => onChange({ ...span, opens: e.currentTarget.value })} w={110} error={!!problem} />
      <Text size="sm" pt={6}>
        to
      </Text>
      <TimeInput aria-label={`${label} closes`} value={span.closes} onChange={(e) => onChange({ ...span, closes: e.currentTarget.value })} w={110} error={problem} />
      <ActionIcon variant="subtle" color="gray" aria-label={`Remove ${label} interval`} onClick={onRemove} mt={4}>
        <IconTrash size={16} />
      </ActionIcon>
    </Group>
  );
}

/** Time zone, each weekday's open intervals and dated exceptions (holidays). */
export function HoursEditor({ queueId, initial, onSaved }: { queueId: string; initial: HoursDraft | null; onSaved: () => void }) {
  const [alwaysOpen, setAlwaysOpen] = useState(initial === null);
  const [draft, setDraft] = useState<HoursDraft>(initial ?? defaultDraft());
  const [holiday, setHoliday] = useState<string | null>(null);
  const save = useFormMutation(UpdateQueueMutation, 'Business hours saved');
  const zones = useMemo(() => timeZones(), []);

  const setDay = (day: Weekday, spans: Span[]) => setDraft((d) => ({ ...d, days: { ...d.days, [day]: spans } }));
  const invalid = WEEKDAYS.some((d) => draft.days[d].some((s) => spanProblem(s)));

  const onSave = async () => {
    // Always open is the API's null hours (an update's null clears them).
    const result = await save.run({ id: queueId, input: { hours: alwaysOpen ? null : draftToInput(draft) } });
    if (result) onSaved();
  };

  const addHoliday = () => {
    if (!holiday || draft.exceptions.some((e) => e.date === holiday)) return;
    setDraft((d) => ({ ...d, exceptions: [...d.exceptions, { date: holiday, spans: [] }] }));
    setHoliday(null);
  };

  return (
    <Stack>
      <Switch
        label="Always open (no business hours)"
        description="With hours, conversations outside them get the out-of-hours message and rules can test INSIDE_HOURS / OUTSIDE_HOURS."
        checked={alwaysOpen}
        onChange={(e) => setAlwaysOpen(e.currentTarget.checked)}
      />
      {!alwaysOpen && (
        <>
          <Select label="Time zone" searchable data={zones} value={draft.timeZone} allowDeselect={false} onChange={(v) => v && setDraft((d) => ({ ...d, timeZone: v }))} maw={360} />
          <Paper withBorder radius="md" p="sm">
            <Table verticalSpacing="xs" aria-label="Weekly hours">
              <Table.Tbody>
                {WEEKDAYS.map((day) => {
                  const spans = draft.days[day];
                  const label = dayLabel(day);
                  return (
                    <Table.Tr key={day}>
                      <Table.Td w={120} style={{ verticalAlign: 'top' }}>
                        <Text fw={500} pt={6}>
                          {label}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={6}>
                          {spans.length === 0 && (
                            <Text size="sm" c="dimmed" pt={6}>
                              Closed
                            </Text>
                          )}
                          {spans.map((s, i) => (
                            <SpanRow
                              key={i}
                              label={label}
                              span={s}
                              onChange={(next) => setDay(day, spans.map((x, j) => (j === i ? next : x)))}
                              onRemove={() => setDay(day, spans.filter((_, j) => j !== i))}
                            />
                          ))}
                        </Stack>
                      </Table.Td>
                      <Table.Td w={60} style={{ verticalAlign: 'top' }}>
                        <ActionIcon
                          variant="light"
                          aria-label={`Add ${label} interval`}
                          onClick={() => setDay(day, [...spans, spans.length ? { opens: '13:00', closes: '17:00' } : { opens: '09:00', closes: '17:00' }])}
                        >
                          <IconPlus size={16} />
                        </ActionIcon>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Paper>
          <Title order={5}>Holidays and exceptions</Title>
          <Text size="sm" c="dimmed">
            A date here replaces its weekday&apos;s hours; with no intervals it is closed all day.
          </Text>
          {draft.exceptions.length === 0 && (
            <Alert variant="light" color="gray" icon={<IconCalendarOff size={16} />}>
              No exceptions. Add public holidays or special opening days below.
            </Alert>
          )}
          {draft.exceptions.map((ex, idx) => (
            <Paper key={ex.date} withBorder p="xs" radius="md">
              <Group justify="space-between" align="flex-start">
                <Stack gap={6}>
                  <Text fw={500}>{ex.date}</Text>
                  {ex.spans.length === 0 && <Text size="sm" c="dimmed">Closed all day</Text>}
                  {ex.spans.map((s, i) => (
                    <SpanRow
                      key={i}
                      label={ex.date}
                      span={s}
                      onChange={(next) => setDraft((d) => ({ ...d, exceptions: d.exceptions.map((e, k) => (k === idx ? { ...e, spans: e.spans.map((x, j) => (j === i ? next : x)) } : e)) }))}
                      onRemove={() => setDraft((d) => ({ ...d, exceptions: d.exceptions.map((e, k) => (k === idx ? { ...e, spans: e.spans.filter((_, j) => j !== i) } : e)) }))}
                    />
                  ))}
                </Stack>
                <Group gap={4}>
                  <Button
                    size="xs"
                    variant="subtle"
                    onClick={() => setDraft((d) => ({ ...d, exceptions: d.exceptions.map((e, k) => (k === idx ? { ...e, spans: [...e.spans, { opens: '10:00', closes: '14:00' }] } : e)) }))}
                  >
                    Add interval
                  </Button>
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove exception ${ex.date}`} onClick={() => setDraft((d) => ({ ...d, exceptions: d.exceptions.filter((_, k) => k !== idx) }))}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              </Group>
            </Paper>
          ))}
          <Group align="flex-end">
            <DatePickerInput label="Exception date" placeholder="Pick a date" value={holiday} onChange={setHoliday} valueFormat="YYYY-MM-DD" clearable w={200} />
            <Button variant="light" onClick={addHoliday} disabled={!holiday}>
              Add exception
            </Button>
          </Group>
        </>
      )}
      {save.error && <ErrorAlert error={save.error} title="Hours not saved" />}
      <Group justify="flex-end">
        <Button onClick={() => void onSave()} loading={save.fetching} disabled={!alwaysOpen && invalid}>
          Save hours
        </Button>
      </Group>
    </Stack>
  );
}
