import { Alert, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useQuery } from 'urql';
import { QueryState } from '../../../components/QueryState';
import { PreviewCampaign } from './documents';
import { SKIP_LABEL } from './progress';

/** What starting now would do: who gets the template, who is skipped and why. */
export function PreflightCard({ campaignId }: { campaignId: string }) {
  const [result] = useQuery({ query: PreviewCampaign, variables: { id: campaignId }, requestPolicy: 'network-only' });
  const p = result.data?.previewCampaign;
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={4} mb="sm">
        Preflight
      </Title>
      <QueryState fetching={result.fetching} error={result.error} hasData={!!p}>
        {p && (
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 3 }}>
              {[
                { label: 'Recipients', value: p.total, color: undefined },
                { label: 'Will send', value: p.sendable, color: 'teal' },
                { label: 'Skipped', value: p.skipped, color: p.skipped ? 'orange' : undefined },
              ].map((x) => (
                <div key={x.label} role="group" aria-label={x.label}>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                    {x.label}
                  </Text>
                  <Text size="xl" fw={700} c={x.color}>
                    {x.value}
                  </Text>
                </div>
              ))}
            </SimpleGrid>
            {p.skippedByReason.length > 0 && (
              <div>
                <Text size="sm" fw={500} mb={4}>
                  Skipped by reason
                </Text>
                <Stack gap={2}>
                  {p.skippedByReason.map((s) => (
                    <Group key={s.reason} justify="space-between" maw={320} role="group" aria-label={SKIP_LABEL[s.reason]}>
                      <Text size="sm">{SKIP_LABEL[s.reason]}</Text>
                      <Text size="sm" fw={600}>
                        {s.count}
                      </Text>
                    </Group>
                  ))}
                </Stack>
              </div>
            )}
            {p.outsideWindow > 0 && (
              <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} />}>
                {p.outsideWindow} of the sendable recipients have not written in the last 24 hours: only a template reaches them, as this campaign sends.
              </Alert>
            )}
          </Stack>
        )}
      </QueryState>
    </Paper>
  );
}
