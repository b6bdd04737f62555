// The tenant's audit log, newest first: who changed what and when, 50 entries a page.

import { Button, Code, Stack, Table, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { LoadMore } from '../../../components/LoadMore';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { graphql } from '../../../gql';
import type { WorkspaceAuditQuery } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { describeDetails } from './details';

const AuditQuery = graphql(`
  query WorkspaceAudit($first: Int, $after: String) {
    auditLog(first: $first, after: $after) {
      nodes {
        id
        actor
        action
        targetType
        targetId
        details
        createdAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

type Page = WorkspaceAuditQuery['auditLog'];
const PAGE = 50;

export function AuditPage() {
  const client = useClient();
  const [{ data, fetching, error }, refetch] = useQuery({ query: AuditQuery, variables: { first: PAGE } });
  // Later pages, fetched on demand after the first; a refresh of the first starts over.
  const [more, setMore] = useState<{ after: string; pages: Page[] }>({ after: '', pages: [] });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = data?.auditLog;
  const pages = first && more.after === first.pageInfo.endCursor ? [first, ...more.pages] : first ? [first] : [];
  const last = pages[pages.length - 1];
  const entries = pages.flatMap((p) => p.nodes);

  const loadMore = async () => {
    if (!last?.pageInfo.endCursor || !first?.pageInfo.endCursor) return;
    setLoadingMore(true);
    setMoreError(null);
    const result = await client.query(AuditQuery, { first: PAGE, after: last.pageInfo.endCursor }, { requestPolicy: 'network-only' }).toPromise();
    setLoadingMore(false);
    if (result.error || !result.data) {
      setMoreError(result.error);
      return;
    }
    const anchor = first.pageInfo.endCursor;
    const page = result.data.auditLog;
    setMore((m) => ({ after: anchor, pages: m.after === anchor ? [...m.pages, page] : [page] }));
  };

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to this workspace's setup, newest first, in your time zone."
        actions={
          <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={() => refetch({ requestPolicy: 'network-only' })}>
            Refresh
          </Button>
        }
      />
      <QueryState
        fetching={fetching}
        error={error}
        hasData={!!data}
        empty={entries.length === 0}
        emptyTitle="Nothing recorded yet"
        emptyHint="Changes to channels, users, keys and settings appear here."
      >
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e) => {
                const details = describeDetails(e.details);
                return (
                  <Table.Tr key={e.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{e.actor}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>{e.action}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{e.targetType}</Text>
                      {e.targetId && (
                        <Text size="xs" c="dimmed" ff="monospace">
                          {e.targetId}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td maw={360}>
                      {details ? (
                        <Stack gap={2}>
                          {details.map((d) => (
                            <Text key={d.key} size="xs" title={d.full} style={{ wordBreak: 'break-word' }}>
                              {d.key && (
                                <Text span size="xs" fw={600}>
                                  {d.key}:{' '}
                                </Text>
                              )}
                              <Text span size="xs" ff="monospace">
                                {d.value}
                              </Text>
                            </Text>
                          ))}
                        </Stack>
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <ErrorAlert error={moreError} title="The next page did not load" />
        <LoadMore hasMore={last?.pageInfo.hasNextPage} loading={loadingMore} onMore={() => void loadMore()} />
      </QueryState>
    </>
  );
}
