import { Badge, Code, Group, Select, Table, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { QueryState } from '../../../components/QueryState';
import type { RecipientState } from '../../../gql/graphql';
import { CampaignRecipients } from './documents';
import { Pager } from '../shared/Pager';
import { useCursorPages } from '../shared/useCursorPages';
import { SKIP_LABEL } from './progress';

const STATES: RecipientState[] = ['PENDING', 'QUEUED', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'SKIPPED'];
const COLOR: Record<RecipientState, string> = {
  PENDING: 'gray',
  QUEUED: 'indigo',
  SENT: 'blue',
  DELIVERED: 'cyan',
  READ: 'teal',
  FAILED: 'red',
  SKIPPED: 'orange',
};
const PAGE = 50;

function formatVariables(variables: unknown): string {
  if (!variables || typeof variables !== 'object') return '';
  return Object.entries(variables as Record<string, unknown>)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** The campaign's recipients in list order, optionally in one state; `version` refetches. */
export function RecipientsTable({ campaignId, version }: { campaignId: string; version: string }) {
  const [state, setState] = useState<RecipientState | null>(null);
  const pages = useCursorPages();
  const [result, reexecute] = useQuery({
    query: CampaignRecipients,
    variables: { id: campaignId, state, first: PAGE, after: pages.after },
  });
  // A new `version` (the counters moved): the recipients' states did too.
  const seen = useRef(version);
  useEffect(() => {
    if (version === seen.current) return;
    seen.current = version;
    reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);
  const page = result.data?.campaign?.recipients;
  const recipients = page?.nodes ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={4}>Recipients</Title>
        <Select
          aria-label="Recipients in state"
          placeholder="Every state"
          data={STATES}
          value={state}
          onChange={(v) => {
            setState(v as RecipientState | null);
            pages.reset();
          }}
          clearable
          w={180}
        />
      </Group>
      <QueryState
        fetching={result.fetching}
        error={result.error}
        hasData={!!page}
        empty={recipients.length === 0}
        emptyTitle={state ? `No recipient is ${state.toLowerCase()}` : 'No recipients'}
        emptyHint={state ? 'Pick another state, or every state.' : undefined}
      >
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing={6} fz="sm" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Number</Table.Th>
                <Table.Th>Variables</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Why</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {recipients.map((r, i) => (
                <Table.Tr key={`${r.phone}-${i}`}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {r.phone}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Code>{formatVariables(r.variables) || '—'}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={COLOR[r.state]}>
                      {r.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {r.skipReason ? SKIP_LABEL[r.skipReason] : r.message?.lastError ? `${r.message.lastError.code} ${r.message.lastError.message ?? ''}` : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Pager number={pages.number} hasNext={!!page?.pageInfo.hasNextPage} onPrevious={pages.previous} onNext={() => pages.next(page?.pageInfo.endCursor)} />
      </QueryState>
    </>
  );
}
