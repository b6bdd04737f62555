// One delivery opened up: every attempt (time, HTTP status, duration, error, the start of
// the answer) and the payload as sent.

import { Badge, Code, ScrollArea, Stack, Table, Text } from '@mantine/core';
import type { IntegrationsDeliveryFieldsFragment, WebhookDeliveryState } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';

export const STATE_COLORS: Record<WebhookDeliveryState, string> = {
  PENDING: 'yellow',
  SENDING: 'blue',
  DELIVERED: 'teal',
  FAILED: 'red',
  FILTERED: 'gray',
};

export function HttpStatus({ code }: { code: number | null | undefined }) {
  if (code == null) return <Text size="sm" c="dimmed">—</Text>;
  const color = code >= 200 && code < 300 ? 'teal' : code >= 500 ? 'red' : 'orange';
  return (
    <Badge color={color} variant="outline" size="sm">
      {code}
    </Badge>
  );
}

/** The payload, indented when it is JSON. */
function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

export function DeliveryDetails({ delivery }: { delivery: IntegrationsDeliveryFieldsFragment }) {
  return (
    <Stack gap="sm" p="sm">
      <Text size="xs" c="dimmed">
        Event <Code>{delivery.eventId}</Code> · happened {formatDateTime(delivery.occurredAt)}
        {delivery.nextAttemptAt && ` · next attempt ${formatDateTime(delivery.nextAttemptAt)}`}
        {delivery.deliveredAt && ` · delivered ${formatDateTime(delivery.deliveredAt)}`}
      </Text>
      {delivery.attempts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No attempt yet.
        </Text>
      ) : (
        <Table withTableBorder fz="sm" aria-label="Attempts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>Time</Table.Th>
              <Table.Th>HTTP status</Table.Th>
              <Table.Th>Duration</Table.Th>
              <Table.Th>Error / answer</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {delivery.attempts.map((a) => (
              <Table.Tr key={a.number} data-testid="attempt">
                <Table.Td>{a.number}</Table.Td>
                <Table.Td>{formatDateTime(a.at)}</Table.Td>
                <Table.Td>
                  <HttpStatus code={a.statusCode} />
                </Table.Td>
                <Table.Td>{a.durationMs} ms</Table.Td>
                <Table.Td>
                  {a.error && (
                    <Text size="sm" c="red">
                      {a.error}
                    </Text>
                  )}
                  {a.responseExcerpt && (
                    <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{a.responseExcerpt}</Code>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="sm" fw={500}>
        Payload
      </Text>
      {delivery.payload ? (
        <ScrollArea.Autosize mah={320} type="auto" viewportProps={{ tabIndex: 0, role: 'region', 'aria-label': 'Payload' }}>
          <Code block data-testid="payload">
            {pretty(delivery.payload)}
          </Code>
        </ScrollArea.Autosize>
      ) : (
        <Text size="sm" c="dimmed">
          Rendered at the first attempt.
        </Text>
      )}
    </Stack>
  );
}
