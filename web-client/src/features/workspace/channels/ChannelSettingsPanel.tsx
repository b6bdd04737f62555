// The channel's sending settings: send retries, the rate limit, language, default queue and
// which inbound media it keeps. These are the API's per-channel "retries, rate" settings.

import { Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from 'urql';
import type { ChannelsFieldsFragment } from '../../../gql/graphql';
import { useMutationAction } from '../../../lib/useMutationAction';
import { ChannelsQueuesQuery, ChannelsUpdateMutation } from './documents';

type Values = {
  language: string;
  defaultQueueId: string | null;
  maxRetries: number | string;
  retryWaitSeconds: number | string;
  messagesPerSecond: number | string;
  inboundMedia: boolean;
  allowedMediaTypes: string[];
};

export function ChannelSettingsPanel({ channel }: { channel: ChannelsFieldsFragment }) {
  const s = channel.settings;
  const form = useForm<Values>({
    initialValues: {
      language: s.language,
      defaultQueueId: s.defaultQueueId,
      maxRetries: s.maxRetries,
      retryWaitSeconds: s.retryWaitSeconds,
      messagesPerSecond: s.messagesPerSecond,
      inboundMedia: s.inboundMedia,
      allowedMediaTypes: s.allowedMediaTypes,
    },
  });
  const [{ data: queues }] = useQuery({ query: ChannelsQueuesQuery });
  const [state, update] = useMutationAction(ChannelsUpdateMutation, 'Sending settings saved');

  const submit = form.onSubmit(async (v) => {
    const data = await update({
      id: channel.id,
      input: {
        settings: {
          language: v.language.trim(),
          defaultQueueId: v.defaultQueueId,
          maxRetries: Number(v.maxRetries),
          retryWaitSeconds: Number(v.retryWaitSeconds),
          messagesPerSecond: Number(v.messagesPerSecond),
          inboundMedia: v.inboundMedia,
          allowedMediaTypes: v.allowedMediaTypes,
        },
      },
    });
    if (data) form.resetDirty();
  });

  return (
    <Card withBorder padding="lg" maw={820}>
      <form onSubmit={submit}>
        <Stack>
          <Title order={4}>Sending</Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput label="Send retries" description="Attempts after a failed send" min={0} max={20} {...form.getInputProps('maxRetries')} />
            <NumberInput label="Wait between retries (s)" min={0} {...form.getInputProps('retryWaitSeconds')} />
            <NumberInput label="Rate limit (messages/s)" description="The most this number sends each second" min={1} {...form.getInputProps('messagesPerSecond')} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Language" description="WhatsApp language code for templates, e.g. en_US" {...form.getInputProps('language')} />
            <Select
              label="Default queue"
              description="Where new conversations go when no routing rule picks one"
              placeholder="The workspace's default queue"
              clearable
              data={(queues?.queues ?? []).map((q) => ({ value: q.id, label: q.name }))}
              {...form.getInputProps('defaultQueueId')}
            />
          </SimpleGrid>
          <Title order={5}>Inbound media</Title>
          <Switch label="Keep media customers send" {...form.getInputProps('inboundMedia', { type: 'checkbox' })} />
          <TagsInput
            label="Allowed media types"
            description="MIME types to keep, such as image/jpeg or image/*; empty keeps every type the provider delivers"
            disabled={!form.values.inboundMedia}
            {...form.getInputProps('allowedMediaTypes')}
          />
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              Changes apply to the next message sent.
            </Text>
            <Button type="submit" loading={state.fetching} disabled={!form.isDirty()}>
              Save sending settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
