import { Badge, Group } from '@mantine/core';
import type { ChannelsFieldsFragment } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';

export function ProviderBadge({ provider }: { provider: ChannelsFieldsFragment['provider'] }) {
  return (
    <Badge variant="light" color={provider === 'TWILIO' ? 'red' : 'blue'}>
      {provider === 'TWILIO' ? 'Twilio' : 'Meta'}
    </Badge>
  );
}

/** Verified (with when) or not yet; sandbox channels say so too. */
export function StatusBadges({ channel }: { channel: ChannelsFieldsFragment }) {
  return (
    <Group gap={4} wrap="wrap">
      {channel.verifiedAt ? (
        <Badge color="teal" variant="light" title={`Verified ${formatDateTime(channel.verifiedAt)}`}>
          Verified
        </Badge>
      ) : (
        <Badge color="yellow" variant="light">
          Not verified
        </Badge>
      )}
      {channel.sandbox && (
        <Badge color="grape" variant="light">
          Sandbox
        </Badge>
      )}
      {channel.verification?.qualityRating && channel.verification.qualityRating !== 'UNKNOWN' && (
        <Badge variant="dot" color={channel.verification.qualityRating.toLowerCase() === 'green' ? 'teal' : channel.verification.qualityRating.toLowerCase() === 'yellow' ? 'yellow' : 'red'}>
          Quality {channel.verification.qualityRating.toLowerCase()}
        </Badge>
      )}
    </Group>
  );
}

const KIND_LABEL: Record<string, string> = {
  TEXT: 'Text',
  MEDIA: 'Media',
  TEMPLATE: 'Templates',
  LOCATION: 'Location',
  CONTACTS: 'Contacts',
  INTERACTIVE: 'Buttons & lists',
  REACTION: 'Reactions',
};

export function CapabilityBadges({ capabilities }: { capabilities: ChannelsFieldsFragment['capabilities'] }) {
  return (
    <Group gap={4} wrap="wrap">
      {capabilities.contentKinds.map((k) => (
        <Badge key={k} size="xs" variant="outline" color="gray">
          {KIND_LABEL[k] ?? k}
        </Badge>
      ))}
    </Group>
  );
}
