// The WhatsApp business profile as the provider shows it now, and its form. Twilio answers
// UNSUPPORTED (the profile lives in the Twilio console): that is shown as guidance.

import { Alert, Anchor, Button, Card, Group, Select, SimpleGrid, Stack, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconInfoCircle } from '@tabler/icons-react';
import { useQuery } from 'urql';
import { QueryState } from '../../../components/QueryState';
import type { BusinessVertical, ChannelsFieldsFragment, ChannelsProfileQuery as ProfileData } from '../../../gql/graphql';
import { describeError } from '../../../lib/errors';
import { useMutationAction } from '../../../lib/useMutationAction';
import { ChannelsProfileQuery, ChannelsProfileUpdateMutation } from './documents';

type Profile = ProfileData['businessProfile'];

export const VERTICALS: { value: BusinessVertical; label: string }[] = [
  { value: 'AUTO', label: 'Automotive' },
  { value: 'BEAUTY', label: 'Beauty, spa and salon' },
  { value: 'APPAREL', label: 'Clothing and apparel' },
  { value: 'EDU', label: 'Education' },
  { value: 'ENTERTAIN', label: 'Entertainment' },
  { value: 'EVENT_PLAN', label: 'Event planning and service' },
  { value: 'FINANCE', label: 'Finance and banking' },
  { value: 'GROCERY', label: 'Food and grocery' },
  { value: 'GOVT', label: 'Public service' },
  { value: 'HOTEL', label: 'Hotel and lodging' },
  { value: 'HEALTH', label: 'Medical and health' },
  { value: 'NONPROFIT', label: 'Non-profit' },
  { value: 'PROF_SERVICES', label: 'Professional services' },
  { value: 'RETAIL', label: 'Shopping and retail' },
  { value: 'TRAVEL', label: 'Travel and transportation' },
  { value: 'RESTAURANT', label: 'Restaurant' },
  { value: 'NOT_A_BIZ', label: 'Not a business' },
  { value: 'OTHER', label: 'Other' },
];

export function BusinessProfilePanel({ channel }: { channel: ChannelsFieldsFragment }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ChannelsProfileQuery, variables: { channelId: channel.id } });
  const unsupported = error && describeError(error).code === 'UNSUPPORTED';
  if (unsupported) {
    return (
      <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} title="Twilio keeps this profile" maw={720}>
        {describeError(error).message} Open the Twilio console, go to Messaging → Senders → WhatsApp senders, and edit this number&apos;s
        profile there.
      </Alert>
    );
  }
  return (
    <QueryState fetching={fetching} error={error} hasData={!!data}>
      {data && (
        <ProfileForm
          key={JSON.stringify(data.businessProfile)}
          channelId={channel.id}
          profile={data.businessProfile}
          onSaved={() => refetch({ requestPolicy: 'network-only' })}
        />
      )}
    </QueryState>
  );
}

function ProfileForm({ channelId, profile, onSaved }: { channelId: string; profile: Profile; onSaved: () => void }) {
  const form = useForm({
    initialValues: {
      about: profile.about ?? '',
      address: profile.address ?? '',
      description: profile.description ?? '',
      email: profile.email ?? '',
      websites: profile.websites,
      vertical: profile.vertical && profile.vertical !== 'UNDEFINED' ? profile.vertical : null,
    },
    validate: {
      about: (v) => (v.length > 139 ? 'At most 139 characters' : /\n/.test(v) ? 'One line' : null),
      websites: (v) => (v.length > 2 ? 'At most two websites' : v.some((w) => !/^https?:\/\//.test(w)) ? 'Each starts with http:// or https://' : null),
    },
  });
  const [state, update] = useMutationAction(ChannelsProfileUpdateMutation, 'Business profile saved at the provider');
  const submit = form.onSubmit(async (v) => {
    const done = await update({
      channelId,
      input: {
        about: v.about.trim() || undefined,
        address: v.address.trim(),
        description: v.description.trim(),
        email: v.email.trim(),
        websites: v.websites,
        vertical: (v.vertical ?? undefined) as BusinessVertical | undefined,
      },
    });
    if (done) onSaved();
  });
  return (
    <Card withBorder padding="lg" maw={820}>
      <form onSubmit={submit}>
        <Stack>
          <Group justify="space-between">
            <Title order={4}>What WhatsApp users see</Title>
            {profile.photoUrl && (
              <Anchor href={profile.photoUrl} target="_blank" rel="noreferrer" size="sm">
                Current profile photo
              </Anchor>
            )}
          </Group>
          <TextInput label="About" description="The line under the profile photo (1 to 139 characters)" maxLength={139} {...form.getInputProps('about')} />
          <Textarea label="Description" maxLength={512} autosize minRows={2} {...form.getInputProps('description')} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Address" maxLength={256} {...form.getInputProps('address')} />
            <TextInput label="Contact e-mail" type="email" maxLength={128} {...form.getInputProps('email')} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TagsInput label="Websites" description="Up to two http(s) addresses; press Enter after each" maxTags={2} {...form.getInputProps('websites')} />
            <Select label="Industry" placeholder="Choose one" data={VERTICALS} {...form.getInputProps('vertical')} />
          </SimpleGrid>
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              Saved straight to the provider; empty fields clear it there.
            </Text>
            <Button type="submit" loading={state.fetching} disabled={!form.isDirty()}>
              Save profile
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
