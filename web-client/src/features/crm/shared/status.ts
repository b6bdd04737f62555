// Colours of message and attempt states, shared by the history and the campaigns.

import type { AttemptOutcome, MessageStatus } from '../../../gql/graphql';

export const STATUS_COLOR: Record<MessageStatus, string> = {
  RECEIVED: 'grape',
  QUEUED: 'gray',
  SENT: 'blue',
  DELIVERED: 'cyan',
  READ: 'teal',
  FAILED: 'red',
};

export function outcomeColor(outcome: AttemptOutcome): string {
  if (outcome === 'SENT' || outcome === 'RECONCILED') return 'teal';
  if (outcome === 'FAILED' || outcome === 'UNRECONCILED') return 'red';
  if (outcome === 'IN_FLIGHT' || outcome === 'AWAITING_STATUS') return 'blue';
  return 'orange';
}
