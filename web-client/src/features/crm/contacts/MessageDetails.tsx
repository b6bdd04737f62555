import { Badge, Code, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import type { CrmContactMessagesQuery } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { outcomeColor, STATUS_COLOR } from '../shared/status';

type Message = NonNullable<CrmContactMessagesQuery['contact']>['messages']['nodes'][number];

/** A message's status timeline and every call made to the provider to send it. */
export function MessageDetails({ message }: { message: Message }) {
  return (
    <Stack gap="md">
      <div>
        <Title order={6} mb="xs">
          Status history
        </Title>
        {message.statusHistory.length === 0 ? (
          <Text size="sm" c="dimmed">
            No status change recorded yet.
          </Text>
        ) : (
          <Timeline active={message.statusHistory.length - 1} bulletSize={14} lineWidth={2}>
            {message.statusHistory.map((s, i) => (
              <Timeline.Item
                key={i}
                color={STATUS_COLOR[s.status]}
                title={
                  <Text size="sm" fw={500}>
                    {s.status}{' '}
                    <Text span size="xs" c="dimmed">
                      ({s.providerStatus})
                    </Text>
                  </Text>
                }
              >
                <Text size="xs" c="dimmed">
                  {formatDateTime(s.at)}
                </Text>
                {(s.errorCode || s.errorMessage) && (
                  <Text size="xs" c="red">
                    {s.errorCode} {s.errorMessage}
                  </Text>
                )}
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </div>
      {message.direction === 'OUTBOUND' && (
        <div>
          <Title order={6} mb="xs">
            Delivery attempts
          </Title>
          {message.attempts.length === 0 ? (
            <Text size="sm" c="dimmed">
              No call to the provider yet.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing={4} fz="sm" aria-label="Delivery attempts" style={{ whiteSpace: 'nowrap' }}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Took</Table.Th>
                    <Table.Th>Request</Table.Th>
                    <Table.Th>HTTP</Table.Th>
                    <Table.Th>Outcome</Table.Th>
                    <Table.Th>Provider</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {message.attempts.map((a) => (
                    <Table.Tr key={a.number}>
                      <Table.Td>{a.number}</Table.Td>
                      <Table.Td>{formatDateTime(a.startedAt)}</Table.Td>
                      <Table.Td>{a.durationMs} ms</Table.Td>
                      <Table.Td>
                        <Code>{a.request}</Code>
                      </Table.Td>
                      <Table.Td>{a.httpStatus ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge size="sm" variant="light" color={outcomeColor(a.outcome)}>
                          {a.outcome}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs">
                          {[a.providerCode, a.providerMessage].filter(Boolean).join(' ') || a.providerMessageId || '—'}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </div>
      )}
    </Stack>
  );
}
