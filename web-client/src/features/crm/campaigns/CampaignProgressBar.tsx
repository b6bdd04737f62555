import { ColorSwatch, Group, Progress, Text, Tooltip } from '@mantine/core';
import type { CrmCampaignFragment } from '../../../gql/graphql';
import { percent, progressSections, settledPercent } from './progress';

/** One bar, one section per outcome, with its legend when `legend` is set. */
export function CampaignProgressBar({ campaign, legend = false, size = 'lg' }: { campaign: CrmCampaignFragment; legend?: boolean; size?: string }) {
  const c = campaign.counts;
  const sections = progressSections(c);
  const settled = settledPercent(c);
  return (
    <div>
      <Progress.Root size={size} role="group" aria-label={`${campaign.name}: ${settled}% done`}>
        {sections.map((s) => (
          <Tooltip key={s.key} label={`${s.label}: ${s.value}`}>
            <Progress.Section value={percent(s.value, c.total)} color={s.color} aria-label={`${s.label}: ${s.value}`} />
          </Tooltip>
        ))}
      </Progress.Root>
      {legend && (
        <Group gap="md" mt={6}>
          {[
            { label: 'Sent', value: c.sent, color: 'blue' },
            { label: 'Delivered', value: c.delivered, color: 'cyan' },
            { label: 'Read', value: c.read, color: 'teal' },
            { label: 'Failed', value: c.failed, color: 'red' },
            { label: 'Skipped', value: c.skipped, color: 'gray' },
            { label: 'Waiting', value: c.pending + c.queued, color: 'indigo.3' },
          ].map((x) => (
            <Group key={x.label} gap={4} wrap="nowrap">
              <ColorSwatch color={`var(--mantine-color-${x.color.replace('.', '-')}${x.color.includes('.') ? '' : '-filled'})`} size={8} withShadow={false} aria-hidden />
              <Text size="xs" c="dimmed">
                {x.label}{' '}
                <Text span fw={700} c="var(--mantine-color-text)" data-testid={`count-${x.label.toLowerCase()}`}>
                  {x.value}
                </Text>
              </Text>
            </Group>
          ))}
          <Text size="xs" c="dimmed" ml="auto">
            {settled}% done
          </Text>
        </Group>
      )}
    </div>
  );
}
