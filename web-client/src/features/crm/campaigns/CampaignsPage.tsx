import { Anchor, Badge, Button, Paper, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { CrmCampaignFragment } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { Pager } from '../shared/Pager';
import { useCursorPages } from '../shared/useCursorPages';
import { CampaignProgressBar } from './CampaignProgressBar';
import { CampaignsList } from './documents';
import { isLive, STATE_COLOR } from './progress';
import { useLiveCampaign } from './useLiveCampaign';

// An empty list names no Campaign: without this, creating the first one elsewhere would leave
// the cached empty list in place.
const LIST_CONTEXT = { additionalTypenames: ['Campaign'] };

const PAGE = 25;

/** A row follows its campaign live while it runs (or is scheduled or paused). */
function CampaignRow({ campaign: initial }: { campaign: CrmCampaignFragment }) {
  const campaign = useLiveCampaign(initial, isLive(initial.state)) ?? initial;
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/campaigns/${campaign.id}`} fw={500}>
          {campaign.name}
        </Anchor>
        <Text size="xs" c="dimmed">
          {campaign.template ? `${campaign.template.name} (${campaign.template.language})` : 'Template deleted'} · {campaign.channel.name}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={STATE_COLOR[campaign.state]}>
          {campaign.state}
        </Badge>
      </Table.Td>
      <Table.Td miw={220}>
        <CampaignProgressBar campaign={campaign} size="md" />
        <Text size="xs" c="dimmed" mt={4}>
          {campaign.counts.sent} sent · {campaign.counts.delivered} delivered · {campaign.counts.read} read · {campaign.counts.failed} failed ·{' '}
          {campaign.counts.skipped} skipped
        </Text>
      </Table.Td>
      <Table.Td>{campaign.recipientCount}</Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(campaign.startedAt ?? campaign.startAt ?? campaign.createdAt)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function CampaignsPage() {
  const pages = useCursorPages();
  const [result] = useQuery({ query: CampaignsList, variables: { first: PAGE, after: pages.after }, context: LIST_CONTEXT });
  const page = result.data?.campaigns;
  const campaigns = page?.nodes ?? [];
  const newButton = (
    <Button component={Link} to="/campaigns/new" leftSection={<IconPlus size={16} />}>
      New campaign
    </Button>
  );
  return (
    <>
      <PageHeader title="Campaigns" description="Send an approved template to many recipients, and follow it live." actions={newButton} />
      <Paper withBorder radius="md">
        <QueryState
          fetching={result.fetching}
          error={result.error}
          hasData={!!page}
          empty={campaigns.length === 0}
          emptyTitle="No campaigns yet"
          emptyHint="Create one from an approved template and a CSV of recipients."
          emptyAction={newButton}
        >
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Campaign</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Progress</Table.Th>
                  <Table.Th>Recipients</Table.Th>
                  <Table.Th>Started</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {campaigns.map((c) => (
                  <CampaignRow key={c.id} campaign={c} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager number={pages.number} hasNext={!!page?.pageInfo.hasNextPage} onPrevious={pages.previous} onNext={() => pages.next(page?.pageInfo.endCursor)} />
        </QueryState>
      </Paper>
    </>
  );
}
