import { Group, Paper, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatShort } from '../../../lib/time';
import { useConversationChangeTick } from '../shared/live';
import { QueueStatsQuery } from './documents';

const PERIODS = [
  { value: '1', label: '24 hours' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
];

/** `4m 09s`, `2h 05m`: a duration in seconds, or a dash when nothing was measured. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds == null) return '–';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(seconds % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

/** The queue's figures now and over a chosen period. */
export function QueueStatsSummary({ queueId, target }: { queueId: string; target: number | null }) {
  const [days, setDays] = useState('7');
  // Conversations changing move the window's end, so the figures are asked again.
  const tick = useConversationChangeTick();
  const window = useMemo(() => {
    const to = new Date();
    return { from: new Date(to.getTime() - Number(days) * 86_400_000).toISOString(), to: to.toISOString(), tick };
  }, [days, tick]);
  const [{ data, error }] = useQuery({ query: QueueStatsQuery, variables: { queueId, from: window.from, to: window.to } });
  const s = data?.queueStats;
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600}>Queue statistics</Text>
        <SegmentedControl size="xs" aria-label="Statistics period" data={PERIODS} value={days} onChange={setDays} />
      </Group>
      {error && <ErrorAlert error={error} title="Statistics unavailable" />}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
        <Stat label="Waiting" value={s ? String(s.waiting) : '…'} hint={s?.oldestWaitingSince ? `since ${formatShort(s.oldestWaitingSince)}` : 'nobody waits'} />
        <Stat label="Assigned / pending" value={s ? `${s.assigned} / ${s.pending}` : '…'} />
        <Stat label="Opened / resolved" value={s ? `${s.opened} / ${s.resolved}` : '…'} hint="in the period" />
        <Stat
          label="First response"
          value={s ? formatSeconds(s.firstResponse.medianSeconds) : '…'}
          hint={
            s
              ? `median; p90 ${formatSeconds(s.firstResponse.p90Seconds)}${target != null && s.firstResponseWithinTarget != null ? ` · ${s.firstResponseWithinTarget}/${s.firstResponse.count} within ${target}m` : ''}`
              : undefined
          }
        />
        <Stat label="Resolution" value={s ? formatSeconds(s.resolution.medianSeconds) : '…'} hint={s ? `median of ${s.resolution.count}` : undefined} />
        <Stat label="CSAT" value={s?.csat.average != null ? `${s.csat.average.toFixed(1)} / 5` : '–'} hint={s ? `${s.csat.responses} responses` : undefined} />
      </SimpleGrid>
    </Stack>
  );
}
