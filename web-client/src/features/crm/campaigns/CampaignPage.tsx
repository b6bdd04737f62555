import { Alert, Anchor, Badge, Breadcrumbs, Button, Grid, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconPlayerPause, IconPlayerPlay, IconPlayerStop, IconRocket } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { CrmCampaignFragment } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { CampaignProgressBar } from './CampaignProgressBar';
import { CampaignDetail, CancelCampaign, PauseCampaign, ResumeCampaign, StartCampaign } from './documents';
import { PreflightCard } from './PreflightCard';
import { SKIP_LABEL, STATE_COLOR } from './progress';
import { RecipientsTable } from './RecipientsTable';
import { useLiveCampaign } from './useLiveCampaign';

function Actions({ campaign }: { campaign: CrmCampaignFragment }) {
  const [startState, start] = useMutationAction(StartCampaign, 'Campaign started');
  const [pauseState, pause] = useMutationAction(PauseCampaign, 'Campaign paused: messages already queued still go');
  const [resumeState, resume] = useMutationAction(ResumeCampaign, 'Campaign resumed');
  const [cancelState, cancel] = useMutationAction(CancelCampaign, 'Campaign cancelled');
  const id = campaign.id;
  const s = campaign.state;
  return (
    <>
      {s === 'DRAFT' && (
        <Button leftSection={<IconRocket size={16} />} loading={startState.fetching} onClick={() => void start({ id })}>
          {campaign.startAt ? 'Schedule' : 'Start'}
        </Button>
      )}
      {(s === 'RUNNING' || s === 'SCHEDULED') && (
        <Button variant="default" leftSection={<IconPlayerPause size={16} />} loading={pauseState.fetching} onClick={() => void pause({ id })}>
          Pause
        </Button>
      )}
      {s === 'PAUSED' && (
        <Button leftSection={<IconPlayerPlay size={16} />} loading={resumeState.fetching} onClick={() => void resume({ id })}>
          Resume
        </Button>
      )}
      {s !== 'COMPLETED' && s !== 'CANCELLED' && (
        <Button color="red" variant="light" leftSection={<IconPlayerStop size={16} />} loading={cancelState.fetching} onClick={() => void cancel({ id })}>
          Cancel
        </Button>
      )}
    </>
  );
}

function Fact({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div role="group" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{value || '—'}</Text>
    </div>
  );
}

export function CampaignPage() {
  const { id = '' } = useParams();
  const [result] = useQuery({ query: CampaignDetail, variables: { id } });
  const campaign = useLiveCampaign(result.data?.campaign);
  const c = campaign?.counts;
  return (
    <>
      <Breadcrumbs mb="sm">
        <Anchor component={Link} to="/campaigns" size="sm">
          Campaigns
        </Anchor>
        <Text size="sm">{campaign?.name ?? '…'}</Text>
      </Breadcrumbs>
      <QueryState
        fetching={result.fetching}
        error={result.error}
        hasData={!!result.data}
        empty={!campaign}
        emptyTitle="No such campaign"
        emptyHint="Go back to the campaigns list."
      >
        {campaign && c && (
          <Stack>
            <PageHeader
              title={campaign.name}
              description={
                <Group gap="xs" component="span">
                  <Badge variant="light" color={STATE_COLOR[campaign.state]}>
                    {campaign.state}
                  </Badge>
                  <Text span size="sm">
                    {campaign.template ? `${campaign.template.name} (${campaign.template.language})` : 'Template deleted'} on {campaign.channel.name}
                  </Text>
                </Group>
              }
              actions={<Actions campaign={campaign} />}
            />
            {campaign.stateReason && (
              <Alert color="yellow" variant="light" title="Paused by Switchboard">
                {campaign.stateReason}
              </Alert>
            )}
            <Paper withBorder p="md" radius="md">
              <Title order={4} mb="sm">
                Progress
              </Title>
              <CampaignProgressBar campaign={campaign} legend size="xl" />
              <SimpleGrid cols={{ base: 2, sm: 4 }} mt="md">
                <Fact
                  label="Created"
                  value={
                    <>
                      {formatDateTime(campaign.createdAt)}
                      <Text span display="block" size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
                        by {campaign.createdBy}
                      </Text>
                    </>
                  }
                />
                <Fact label={campaign.startedAt ? 'Started' : 'Starts'} value={formatDateTime(campaign.startedAt ?? campaign.startAt)} />
                <Fact label="Finished" value={formatDateTime(campaign.finishedAt)} />
                <Fact
                  label="Skipped by reason"
                  value={c.skippedByReason.map((s) => `${SKIP_LABEL[s.reason]} ${s.count}`).join(', ') || 'None'}
                />
              </SimpleGrid>
            </Paper>
            <Grid>
              {campaign.state === 'DRAFT' && (
                <Grid.Col span={{ base: 12, md: 5 }}>
                  <PreflightCard campaignId={campaign.id} />
                </Grid.Col>
              )}
              <Grid.Col span={{ base: 12, md: campaign.state === 'DRAFT' ? 7 : 12 }}>
                <Paper withBorder p="md" radius="md">
                  <RecipientsTable campaignId={campaign.id} version={`${campaign.state}-${c.pending}-${c.queued}-${c.sent}-${c.delivered}-${c.read}-${c.failed}`} />
                </Paper>
              </Grid.Col>
            </Grid>
          </Stack>
        )}
      </QueryState>
    </>
  );
}
