// The state of a message we sent: queued, sent ✓, delivered ✓✓, read (blue ✓✓), failed.

import { Tooltip } from '@mantine/core';
import { IconAlertCircle, IconCheck, IconChecks, IconClock } from '@tabler/icons-react';
import type { MessageStatus } from '../../gql/graphql';

const LABEL: Record<MessageStatus, string> = {
  RECEIVED: 'Received',
  QUEUED: 'Queued',
  SENT: 'Sent',
  DELIVERED: 'Delivered',
  READ: 'Read',
  FAILED: 'Failed',
};

export function statusLabel(status: MessageStatus): string {
  return LABEL[status];
}

export function DeliveryTicks({ status }: { status: MessageStatus }) {
  const label = LABEL[status];
  let icon;
  switch (status) {
    case 'QUEUED':
      icon = <IconClock size={14} />;
      break;
    case 'SENT':
      icon = <IconCheck size={14} />;
      break;
    case 'DELIVERED':
      icon = <IconChecks size={14} />;
      break;
    case 'READ':
      icon = <IconChecks size={14} color="var(--mantine-color-blue-filled)" />;
      break;
    case 'FAILED':
      icon = <IconAlertCircle size={14} color="var(--mantine-color-red-filled)" />;
      break;
    default:
      return null;
  }
  return (
    <Tooltip label={label}>
      <span role="img" aria-label={label} data-status={status} style={{ display: 'inline-flex', color: 'var(--mantine-color-dimmed)' }}>
        {icon}
      </span>
    </Tooltip>
  );
}
