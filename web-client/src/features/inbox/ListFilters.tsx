// The list's filters: whose (mine / unassigned / all), status, queue and labels.

import { MultiSelect, SegmentedControl, Select, SimpleGrid, Stack } from '@mantine/core';
import type { ConversationStatus } from '../../gql/graphql';
import { STATUS_LABEL, type InboxFilters, type Scope } from './model';

const STATUSES: ConversationStatus[] = ['OPEN', 'ASSIGNED', 'PENDING', 'RESOLVED'];

export function ListFilters({
  filters,
  onChange,
  queues,
  labels,
}: {
  filters: InboxFilters;
  onChange: (next: InboxFilters) => void;
  queues: { id: string; name: string }[];
  labels: { id: string; name: string }[];
}) {
  return (
    <Stack gap={6}>
      <SegmentedControl
        size="xs"
        fullWidth
        aria-label="Whose conversations"
        value={filters.scope}
        onChange={(scope) => onChange({ ...filters, scope: scope as Scope })}
        data={[
          { value: 'all', label: 'All' },
          { value: 'mine', label: 'Mine' },
          { value: 'unassigned', label: 'Unassigned' },
        ]}
      />
      <SimpleGrid cols={2} spacing={6}>
        <Select
          size="xs"
          aria-label="Status"
          placeholder="Any status"
          clearable
          value={filters.status}
          onChange={(status) => onChange({ ...filters, status: status as ConversationStatus | null })}
          data={STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] }))}
        />
        <Select
          size="xs"
          aria-label="Queue"
          placeholder="Any queue"
          clearable
          value={filters.queueId}
          onChange={(queueId) => onChange({ ...filters, queueId })}
          data={queues.map((q) => ({ value: q.id, label: q.name }))}
        />
      </SimpleGrid>
      {labels.length > 0 && (
        <MultiSelect
          size="xs"
          aria-label="Labels"
          placeholder={filters.labelIds.length ? undefined : 'Any labels'}
          clearable
          value={filters.labelIds}
          onChange={(labelIds) => onChange({ ...filters, labelIds })}
          data={labels.map((l) => ({ value: l.id, label: l.name }))}
        />
      )}
    </Stack>
  );
}
