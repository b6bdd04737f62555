import { BarChart } from '@mantine/charts';
import { Grid, Paper, Table, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { EmptyState } from '../../../components/QueryState';
import { remaining } from '../../../lib/time';
import { formatSeconds } from './buckets';
import type { QueueFigures } from './useQueueStats';

/** How long the oldest conversation has waited, as a duration. */
function waitedFor(since: string | null, now: number): string {
  if (!since) return '—';
  // `remaining` counts down to a time; mirrored, it counts up from one.
  return remaining(new Date(2 * now - Date.parse(since)).toISOString(), now) ?? '0m 00s';
}

/** Each queue's load now, and its first responses, resolutions and CSAT over the period. */
export function QueueSection({ figures, error, now, period }: { figures: QueueFigures[] | null; error: unknown; now: number; period: string }) {
  if (error) return <ErrorAlert error={error} title="Queue figures failed to load" />;
  if (!figures) return null;
  if (figures.length === 0) return <EmptyState title="No queues" hint="Queues appear once an admin makes one." />;
  const load = figures.map((q) => ({ queue: q.name, Waiting: q.stats.waiting, Assigned: q.stats.assigned, Pending: q.stats.pending }));
  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <Paper withBorder p="md" radius="md" h="100%">
          <Title order={4} mb="xs">
            Conversations by queue now
          </Title>
          <div role="figure" aria-label="Conversations waiting, assigned and pending per queue">
            <BarChart
              h={220}
              data={load}
              dataKey="queue"
              type="stacked"
              maxBarWidth={56}
              yAxisProps={{ allowDecimals: false }}
              withLegend
              series={[
                { name: 'Waiting', color: 'orange.6' },
                { name: 'Assigned', color: 'blue.6' },
                { name: 'Pending', color: 'gray.5' },
              ]}
            />
          </div>
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Paper withBorder p="md" radius="md" h="100%">
          <Title order={4} mb="xs">
            Queues, {period}
          </Title>
          <Table.ScrollContainer minWidth={520}>
            <Table fz="sm" verticalSpacing={6} aria-label="Queue figures">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Queue</Table.Th>
                  <Table.Th>Waiting</Table.Th>
                  <Table.Th>Opened</Table.Th>
                  <Table.Th>First response</Table.Th>
                  <Table.Th>Resolved</Table.Th>
                  <Table.Th>CSAT</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {figures.map((q) => (
                  <Table.Tr key={q.id}>
                    <Table.Td fw={500}>{q.name}</Table.Td>
                    <Table.Td>
                      {q.stats.waiting}
                      {q.stats.oldestWaitingSince && (
                        <Text size="xs" c="dimmed">
                          longest {waitedFor(q.stats.oldestWaitingSince, now)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{q.stats.opened}</Table.Td>
                    <Table.Td>
                      {formatSeconds(q.stats.firstResponse.medianSeconds)}
                      <Text size="xs" c="dimmed">
                        median; p90 {formatSeconds(q.stats.firstResponse.p90Seconds)}
                      </Text>
                      {q.stats.firstResponseWithinTarget !== null && q.stats.firstResponse.count > 0 && (
                        <Text size="xs" c="dimmed">
                          {q.stats.firstResponseWithinTarget} of {q.stats.firstResponse.count} within {q.firstResponseMinutes} min
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {q.stats.resolved}
                      {q.stats.resolution.medianSeconds !== null && (
                        <Text size="xs" c="dimmed">
                          median {formatSeconds(q.stats.resolution.medianSeconds)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {q.stats.csat.average !== null ? `${q.stats.csat.average.toFixed(1)} / 5` : '—'}
                      <Text size="xs" c="dimmed">
                        {q.stats.csat.responses} {q.stats.csat.responses === 1 ? 'answer' : 'answers'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      </Grid.Col>
    </Grid>
  );
}
