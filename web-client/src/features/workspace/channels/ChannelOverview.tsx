// How to connect a channel at its provider, the verification (with the provider's own
// answer or its error), the sandbox instructions and what the channel can send.

import { Alert, Anchor, Button, Card, Code, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconShieldCheck } from '@tabler/icons-react';
import { useMutation } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { ChannelsFieldsFragment } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { CopyField } from '../common';
import { CapabilityBadges } from './ChannelBadges';
import { ChannelsVerifyMutation } from './documents';
import { codeSpans, shortMime } from './mime';

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}

export function ChannelOverview({ channel }: { channel: ChannelsFieldsFragment }) {
  const [verifyState, verify] = useMutation(ChannelsVerifyMutation);
  const v = channel.verification;
  const isTwilio = channel.provider === 'TWILIO';
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={4}>Connect at {isTwilio ? 'Twilio' : 'Meta'}</Title>
          <Text size="sm" c="dimmed">
            {isTwilio
              ? channel.sandbox
                ? 'In the Twilio console, set the sandbox\'s "When a message comes in" URL to this webhook URL.'
                : "Set the sender's webhook URL in the Twilio console; the one with retries lets Twilio retry a failed delivery."
              : 'In the Meta app dashboard, set the WhatsApp callback URL and the verify token below, and subscribe to messages.'}
          </Text>
          <CopyField label="Webhook URL" value={channel.webhookUrl} />
          {channel.webhookUrlWithRetries && <CopyField label="Webhook URL with retries" value={channel.webhookUrlWithRetries} />}
          {channel.statusCallbackUrl && <CopyField label="Status callback URL" value={channel.statusCallbackUrl} />}
          {channel.verifyToken && <CopyField label="Verify token" value={channel.verifyToken} />}
          <Text size="xs" c="dimmed">
            {isTwilio ? `Account ${channel.twilio?.accountSid ?? ''}` : `Phone number ID ${channel.meta?.phoneNumberId ?? ''} · WABA ${channel.meta?.businessAccountId ?? ''}`} · token
            ending {channel.credentialHint}
          </Text>
        </Stack>
      </Card>

      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={4}>Verification</Title>
            <Button
              leftSection={<IconShieldCheck size={16} />}
              loading={verifyState.fetching}
              onClick={() => void verify({ id: channel.id })}
            >
              Verify with {isTwilio ? 'Twilio' : 'Meta'}
            </Button>
          </Group>
          <Text size="sm" c="dimmed">
            Asks the provider whether the credentials work and own this number; a verified channel claims its number.
          </Text>
          <ErrorAlert error={verifyState.error} title="The provider refused the verification" />
          {v ? (
            <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="The provider answered" data-testid="verification">
              <List size="sm" spacing={2}>
                <List.Item>Display name: {v.displayName ?? 'not given'}</List.Item>
                <List.Item>Number: {v.displayNumber ?? 'not given'}</List.Item>
                {v.qualityRating && <List.Item>Quality rating: {v.qualityRating}</List.Item>}
                <List.Item>Verified {formatDateTime(v.verifiedAt)}</List.Item>
              </List>
            </Alert>
          ) : (
            !verifyState.error && (
              <Text size="sm">Not verified yet: verify after setting the webhook at the provider, and again after changing credentials.</Text>
            )
          )}
        </Stack>
      </Card>

      {channel.sandbox && (
        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Title order={4}>Twilio sandbox</Title>
            <Text size="sm" data-testid="sandbox-instruction">
              {codeSpans(channel.sandbox.instruction).map((part, i) => (part.code ? <Code key={i}>{part.text}</Code> : <span key={i}>{part.text}</span>))}
            </Text>
            <CopyField label="Join message" value={channel.sandbox.joinMessage} />
            <Anchor href={channel.sandbox.joinUrl} target="_blank" rel="noreferrer" size="sm">
              Open the join chat in WhatsApp
            </Anchor>
          </Stack>
        </Card>
      )}

      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={4}>Capabilities</Title>
          <CapabilityBadges capabilities={channel.capabilities} />
          <List size="sm" spacing={2}>
            <List.Item>Text up to {channel.capabilities.textMaxLength} characters; captions {channel.capabilities.captionMaxLength}</List.Item>
            <List.Item>
              Up to {channel.capabilities.maxButtons} buttons, {channel.capabilities.maxListRows} list rows
            </List.Item>
            <List.Item>Quoted replies: {channel.capabilities.replyContext ? 'yes' : 'no'}</List.Item>
            <List.Item>Read receipts: {channel.capabilities.readReceipts ? 'yes' : 'no'}</List.Item>
            {channel.capabilities.media.map((m) => (
              <List.Item key={m.kind}>
                {m.kind.toLowerCase()}: {m.mimeTypes.map(shortMime).join(', ')} up to {kb(m.maxBytes)}
              </List.Item>
            ))}
          </List>
        </Stack>
      </Card>
    </SimpleGrid>
  );
}
