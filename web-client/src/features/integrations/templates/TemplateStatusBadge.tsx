import { Badge, Stack, Text } from '@mantine/core';
import type { TemplateStatus } from '../../../gql/graphql';

const COLORS: Partial<Record<TemplateStatus, string>> = {
  APPROVED: 'teal',
  PENDING: 'yellow',
  IN_APPEAL: 'yellow',
  UNSUBMITTED: 'gray',
  REJECTED: 'red',
  DISABLED: 'red',
  FLAGGED: 'orange',
  PAUSED: 'orange',
  LIMIT_EXCEEDED: 'orange',
  LOCKED: 'orange',
};

/** Where the template stands with WhatsApp, and why it was rejected when it was. */
export function TemplateStatusBadge({ status, rejectionReason }: { status: TemplateStatus; rejectionReason?: string | null }) {
  return (
    <Stack gap={2} align="flex-start">
      <Badge color={COLORS[status] ?? 'gray'} variant="light" data-testid="template-status">
        {status.replace(/_/g, ' ')}
      </Badge>
      {rejectionReason && (status === 'REJECTED' || status === 'PAUSED' || status === 'DISABLED') && (
        <Text size="xs" c="red" maw={220}>
          {rejectionReason}
        </Text>
      )}
    </Stack>
  );
}
