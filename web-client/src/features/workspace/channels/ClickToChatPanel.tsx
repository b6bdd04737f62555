// Click-to-chat: a wa.me link to this number with text prefilled and its QR code, and the
// stored links (one per place a link is published) with the conversations each opened.

import { Card, Center, Group, Image, Loader, Select, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { ChannelsFieldsFragment } from '../../../gql/graphql';
import { CopyField } from '../common';
import { ChannelsClickToChatQuery, ChannelsStoredLinksQuery } from './documents';
import { StoredLinks } from './StoredLinks';

export function ClickToChatPanel({ channel }: { channel: ChannelsFieldsFragment }) {
  const [text, setText] = useState('');
  const [referral, setReferral] = useState<string | null>(null);
  const [debouncedText] = useDebouncedValue(text, 400);
  const [{ data, fetching, error }] = useQuery({
    query: ChannelsClickToChatQuery,
    variables: { channelId: channel.id, text: debouncedText.trim() || null, referral },
  });
  const [links, refetchLinks] = useQuery({ query: ChannelsStoredLinksQuery, variables: { channelId: channel.id } });
  const link = data?.clickToChatLink;

  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Title order={4}>Link to this number</Title>
            <Text size="sm" c="dimmed">
              Anyone who opens the link or scans the code starts a WhatsApp chat with {channel.phoneNumber}.
            </Text>
            <Textarea
              label="Prefilled text"
              description="What the customer's message starts with (at most 500 characters)"
              maxLength={500}
              autosize
              minRows={2}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
            />
            <Select
              label="Count it for a stored link"
              placeholder="No referral"
              clearable
              data={(links.data?.clickToChatLinks ?? []).map((l) => ({ value: l.tag, label: `${l.source} (${l.tag})` }))}
              value={referral}
              onChange={setReferral}
            />
            <ErrorAlert error={error} />
            {link && <CopyField label="Click-to-chat link" value={link.url} />}
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Center h="100%">
            {link ? (
              <Stack align="center" gap="xs">
                <Image src={link.qrCodePng} alt={`QR code that opens ${link.url}`} w={220} h={220} fit="contain" radius="sm" />
                <Text size="xs" c="dimmed">
                  Right-click to save the code for print
                </Text>
              </Stack>
            ) : (
              fetching && <Loader size="sm" aria-label="Making the QR code" />
            )}
          </Center>
        </Card>
      </SimpleGrid>
      <Group justify="space-between" mt="sm">
        <Title order={4}>Stored links</Title>
      </Group>
      <StoredLinks
        channelId={channel.id}
        state={links}
        onChanged={() => refetchLinks({ requestPolicy: 'network-only' })}
        onShow={(tag) => setReferral(tag)}
      />
    </Stack>
  );
}
