// One message as a WhatsApp-like bubble: the customer's on the left, ours on the right, with
// its time in the viewer's zone, delivery ticks, reactions, and for a failed send the
// provider's reason and a Retry button.

import { Alert, Badge, Box, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { IconArrowForward } from '@tabler/icons-react';
import { useState } from 'react';
import type { InboxMessageFieldsFragment } from '../../gql/graphql';
import { formatDateTime, formatTime } from '../../lib/time';
import { useMutationAction } from '../../lib/useMutationAction';
import { DeliveryTicks } from './DeliveryTicks';
import { InboxRetry } from './mutations';
import { MessageBody } from './MessageBody';
import type { Reaction } from './model';

export function MessageBubble({
  message,
  reactions,
  onRetried,
}: {
  message: InboxMessageFieldsFragment;
  reactions: Reaction[];
  onRetried: () => void;
}) {
  const outbound = message.direction === 'OUTBOUND';
  const failed = message.status === 'FAILED';
  const [{ fetching }, retry] = useMutationAction(InboxRetry, 'Sending again');
  const [retried, setRetried] = useState(false);
  return (
    <Group justify={outbound ? 'flex-end' : 'flex-start'} wrap="nowrap">
      <Box maw="75%" pos="relative" mb={reactions.length ? 12 : 0}>
        <Paper
          component="article"
          aria-label={`${outbound ? 'Sent' : 'Received'} message at ${formatTime(message.sentAt)}`}
          data-message-id={message.id}
          data-status={message.status}
          px="sm"
          py={6}
          radius="lg"
          withBorder={failed}
          style={{
            background: outbound ? 'var(--mantine-color-green-light)' : 'var(--mantine-color-default)',
            borderColor: failed ? 'var(--mantine-color-red-filled)' : undefined,
            borderBottomRightRadius: outbound ? 4 : undefined,
            borderBottomLeftRadius: outbound ? undefined : 4,
            boxShadow: outbound ? undefined : 'var(--mantine-shadow-xs)',
          }}
        >
          <Stack gap={4}>
            {message.forwarded && (
              <Group gap={4} c="dimmed">
                <IconArrowForward size={12} aria-hidden />
                <Text size="xs" fs="italic">
                  Forwarded
                </Text>
              </Group>
            )}
            <MessageBody message={message} />
            <Group gap={4} justify="flex-end" wrap="nowrap">
              <Text size="xs" c="dimmed" title={formatDateTime(message.sentAt)}>
                {formatTime(message.sentAt)}
              </Text>
              {outbound && <DeliveryTicks status={message.status} />}
            </Group>
            {failed && (
              <Alert color="red" variant="light" p={6} title="Not delivered">
                <Stack gap={4}>
                  <Group gap={6} wrap="wrap">
                    <Text size="xs">{message.lastError?.message ?? 'The provider refused the message.'}</Text>
                    {message.lastError?.code && (
                      <Badge size="xs" color="red" variant="outline">
                        {message.lastError.code}
                      </Badge>
                    )}
                  </Group>
                  <Button
                    size="compact-xs"
                    color="red"
                    variant="light"
                    loading={fetching}
                    disabled={retried}
                    onClick={async () => {
                      if (await retry({ id: message.id })) {
                        setRetried(true);
                        onRetried();
                      }
                    }}
                  >
                    Retry
                  </Button>
                </Stack>
              </Alert>
            )}
          </Stack>
        </Paper>
        {reactions.length > 0 && (
          <Group
            gap={2}
            pos="absolute"
            bottom={-12}
            right={outbound ? undefined : 8}
            left={outbound ? 8 : undefined}
            aria-label={`Reactions: ${reactions.map((r) => r.emoji).join(' ')}`}
          >
            {reactions.map((r, i) => (
              <Paper key={i} radius="xl" px={4} withBorder shadow="xs" title={r.fromCustomer ? 'The customer reacted' : 'You reacted'}>
                <Text size="xs">{r.emoji}</Text>
              </Paper>
            ))}
          </Group>
        )}
      </Box>
    </Group>
  );
}
