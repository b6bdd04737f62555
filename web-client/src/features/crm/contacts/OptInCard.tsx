import { Badge, Group, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import type { CrmContactDetailQuery } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { SetContactOptIn } from './documents';

type Contact = NonNullable<CrmContactDetailQuery['contact']>;

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" ta="right">
        {children}
      </Text>
    </Group>
  );
}

/** Whether the contact may be messaged, where their consent came from, and a toggle. */
export function OptInCard({ contact }: { contact: Contact }) {
  const [state, setOptIn] = useMutationAction(SetContactOptIn, (d) =>
    d.setContactOptIn.optedIn ? 'Opted back in: messages reach this contact again' : 'Opted out: nothing more is sent to this contact',
  );
  return (
    <Paper withBorder p="md" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={4}>Consent</Title>
        {contact.optedIn ? (
          <Badge color="teal" variant="light">
            Opted in
          </Badge>
        ) : (
          <Badge color="red" variant="light">
            Opted out
          </Badge>
        )}
      </Group>
      <Stack gap={6}>
        <Switch
          label="Receives messages"
          description={contact.optedIn ? 'Turn off to stop every message, as a STOP keyword would.' : 'Turn on only when the customer agreed again.'}
          checked={contact.optedIn}
          disabled={state.fetching}
          onChange={(e) => void setOptIn({ contactId: contact.id, optedIn: e.currentTarget.checked })}
          mb="xs"
        />
        <Row label="Source">{contact.optInSource ?? '—'}</Row>
        <Row label="Opted in at">{contact.optedInAt ? formatDateTime(contact.optedInAt) : '—'}</Row>
        <Row label="Opted out at">{contact.optedOutAt ? formatDateTime(contact.optedOutAt) : '—'}</Row>
        {contact.marketingOptedOutAt && <Row label="Stopped marketing">{formatDateTime(contact.marketingOptedOutAt)}</Row>}
      </Stack>
    </Paper>
  );
}
