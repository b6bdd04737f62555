import { AreaChart, DonutChart } from '@mantine/charts';
import { Badge, Center, Grid, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconArrowDownLeft, IconArrowUpRight, IconChecks, IconClockHour4, IconEye, IconMoodSmile } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { formatSeconds, toBuckets, toRates } from './buckets';
import { QueueSection } from './QueueSection';
import { StatCard } from './StatCard';
import { useQueueStats } from './useQueueStats';
import { useMessageVolume } from './useMessageVolume';

const PERIODS = [
  { value: '1', label: 'Last hour' },
  { value: '24', label: 'Last 24 hours' },
  { value: '168', label: 'Last 7 days' },
];

/** The clock the charts slide with: every 10 seconds. */
function useNow(ms = 10_000) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function DashboardPage() {
  const now = useNow();
  const [period, setPeriod] = useState('24');
  const recent = useMessageVolume(now, 60);
  const queue = useQueueStats(Number(period));

  // Counted by the server, refetched on each message event and as the clock moves.
  const buckets = useMemo(() => (recent.volume ? toBuckets(recent.volume) : []), [recent.volume]);
  const hour = useMemo(
    () =>
      recent.volume
        ? toRates(recent.volume)
        : toRates({ points: [], inbound: 0, outbound: { queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, deliveryRate: null, readRate: null } }),
    [recent.volume],
  );

  const figures = queue.figures ?? [];
  const waiting = figures.reduce((n, q) => n + q.stats.waiting, 0);
  const csatResponses = figures.reduce((n, q) => n + q.stats.csat.responses, 0);
  const csatAverage = csatResponses
    ? figures.reduce((sum, q) => sum + (q.stats.csat.average ?? 0) * q.stats.csat.responses, 0) / csatResponses
    : null;
  const busiest = [...figures].sort((a, b) => b.stats.firstResponse.count - a.stats.firstResponse.count)[0];
  const periodLabel = PERIODS.find((p) => p.value === period)?.label.toLowerCase() ?? '';

  const outcomes = [
    { name: 'Read', value: hour.read, color: 'teal.6' },
    { name: 'Delivered', value: hour.delivered - hour.read, color: 'cyan.6' },
    { name: 'Sent', value: hour.handed - hour.delivered - hour.failed, color: 'blue.6' },
    { name: 'Failed', value: hour.failed, color: 'red.6' },
    { name: 'Queued', value: hour.queued, color: 'gray.5' },
  ].filter((o) => o.value > 0);

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Messages in the last hour and how your queues are doing, updated live."
        actions={
          <Badge variant="dot" color={recent.streamError ? 'red' : 'teal'} size="lg">
            {recent.streamError ? 'Live updates stopped' : 'Live'}
          </Badge>
        }
      />
      {recent.error ? <ErrorAlert error={recent.error} title="Messages failed to load" /> : null}
      <Stack>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
          <StatCard label="Received" value={hour.received} hint="last hour" icon={<IconArrowDownLeft size={18} />} color="grape" />
          <StatCard label="Sent" value={hour.sent} hint="last hour" icon={<IconArrowUpRight size={18} />} color="blue" />
          <StatCard
            label="Delivered"
            value={hour.deliveredRate === null ? '—' : `${hour.deliveredRate}%`}
            hint={`${hour.delivered} of ${hour.handed} handed over`}
            icon={<IconChecks size={18} />}
            color="cyan"
          />
          <StatCard
            label="Read"
            value={hour.readRate === null ? '—' : `${hour.readRate}%`}
            hint={`${hour.read} of ${hour.handed} handed over`}
            icon={<IconEye size={18} />}
            color="teal"
          />
          <StatCard
            label="Waiting now"
            value={queue.figures ? waiting : '…'}
            hint={
              busiest?.stats.firstResponse.medianSeconds != null
                ? `first response ${formatSeconds(busiest.stats.firstResponse.medianSeconds)} (median, ${busiest.name})`
                : `no first response yet, ${periodLabel}`
            }
            icon={<IconClockHour4 size={18} />}
            color="orange"
          />
          <StatCard
            label="CSAT"
            value={csatAverage === null ? '—' : `${csatAverage.toFixed(1)} / 5`}
            hint={`${csatResponses} ${csatResponses === 1 ? 'answer' : 'answers'}, ${periodLabel}`}
            icon={<IconMoodSmile size={18} />}
            color="yellow"
          />
        </SimpleGrid>
        <Grid>
          <Grid.Col span={{ base: 12, lg: 8 }}>
            <Paper withBorder p="md" radius="md" h="100%">
              <Group justify="space-between" mb="xs">
                <Title order={4}>Messages per minute</Title>
                <Text size="xs" c="dimmed">
                  last 60 minutes, your time
                </Text>
              </Group>
              {recent.loading ? (
                <Center h={260}>
                  <Loader size="sm" aria-label="Loading messages" />
                </Center>
              ) : (
                <div role="figure" aria-label="Messages received and sent per minute over the last hour">
                  <AreaChart
                    h={260}
                    data={buckets}
                    dataKey="minute"
                    withLegend
                    curveType="monotone"
                    tickLine="none"
                    withDots={false}
                    xAxisProps={{ interval: 9 }}
                    yAxisProps={{ allowDecimals: false }}
                    series={[
                      { name: 'Received', color: 'grape.6' },
                      { name: 'Sent', color: 'blue.6' },
                    ]}
                  />
                </div>
              )}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 4 }}>
            <Paper withBorder p="md" radius="md" h="100%">
              <Title order={4} mb="xs">
                Outbound outcomes
              </Title>
              {outcomes.length === 0 ? (
                <Center h={220}>
                  <Text size="sm" c="dimmed" ta="center">
                    Nothing sent in the last hour. Replies and campaigns show here as they go out.
                  </Text>
                </Center>
              ) : (
                <Center>
                  <div role="figure" aria-label="Outbound messages of the last hour by status">
                    <DonutChart data={outcomes} size={180} thickness={26} chartLabel={`${hour.sent} sent`} />
                  </div>
                </Center>
              )}
              <Group justify="center" gap="md" mt="sm">
                {outcomes.map((o) => (
                  <Text key={o.name} size="xs" c="dimmed">
                    {o.name} <b>{o.value}</b>
                  </Text>
                ))}
              </Group>
            </Paper>
          </Grid.Col>
        </Grid>
        <Group justify="space-between">
          <Title order={3}>Queues</Title>
          <SegmentedControl data={PERIODS} value={period} onChange={setPeriod} aria-label="Period of the queue figures" size="xs" />
        </Group>
        <QueueSection figures={queue.figures} error={queue.error} now={now} period={periodLabel} />
      </Stack>
    </>
  );
}
