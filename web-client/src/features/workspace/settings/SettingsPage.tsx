// The tenant's settings: name, default language, time zone, opt-out and opt-in keywords and
// how long a resolved conversation can reopen. Per-channel retries and rate limits are on each
// channel's Sending tab, where the API keeps them.

import { Anchor, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { graphql } from '../../../gql';
import type { WorkspaceSettingsQuery } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { normalizeKeywords } from './keywords';

// What the settings form shows, as the query and the update both answer it.
export const SettingsFields = graphql(`
  fragment WorkspaceSettingsFields on TenantSettings {
    name
    defaultLanguage
    timeZone
    optOutKeywords
    optInKeywords
    reopenGraceMinutes
    updatedAt
  }
`);

const SettingsQuery = graphql(`
  query WorkspaceSettings {
    me {
      tenant {
        id
        settings {
          ...WorkspaceSettingsFields
        }
      }
    }
  }
`);

const SettingsUpdate = graphql(`
  mutation WorkspaceSettingsUpdate($input: TenantSettingsInput!) {
    updateTenantSettings(input: $input) {
      ...WorkspaceSettingsFields
    }
  }
`);

type Settings = NonNullable<WorkspaceSettingsQuery['me']['tenant']>['settings'];

const TIME_ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];

export function SettingsPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: SettingsQuery });
  const settings = data?.me.tenant?.settings;
  return (
    <>
      <PageHeader title="Settings" description="How this workspace behaves for every channel." />
      <QueryState fetching={fetching} error={error} hasData={!!data} empty={!settings} emptyTitle="No workspace" emptyHint="Sign in as a member of a workspace.">
        {settings && <SettingsForm key={settings.updatedAt} settings={settings} onSaved={() => refetch({ requestPolicy: 'network-only' })} />}
      </QueryState>
    </>
  );
}

function SettingsForm({ settings, onSaved }: { settings: Settings; onSaved: () => void }) {
  const form = useForm({
    initialValues: {
      name: settings.name,
      defaultLanguage: settings.defaultLanguage,
      timeZone: settings.timeZone,
      optOutKeywords: settings.optOutKeywords,
      optInKeywords: settings.optInKeywords,
      reopenGraceMinutes: settings.reopenGraceMinutes as number | string,
    },
    validate: {
      name: (v) => (v.trim() ? null : 'The workspace needs a name'),
      reopenGraceMinutes: (v) => (Number(v) >= 0 && Number(v) <= 43200 ? null : '0 to 43200 minutes (30 days)'),
    },
  });
  const [state, update] = useMutationAction(SettingsUpdate, 'Settings saved');
  const zones = TIME_ZONES.includes(settings.timeZone) ? TIME_ZONES : [settings.timeZone, ...TIME_ZONES];
  const submit = form.onSubmit(async (v) => {
    const done = await update({
      input: {
        name: v.name.trim(),
        defaultLanguage: v.defaultLanguage.trim(),
        timeZone: v.timeZone,
        optOutKeywords: normalizeKeywords(v.optOutKeywords),
        optInKeywords: normalizeKeywords(v.optInKeywords),
        reopenGraceMinutes: Number(v.reopenGraceMinutes),
      },
    });
    if (done) onSaved();
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={820}>
        <Card withBorder padding="lg">
          <Stack>
            <Title order={4}>Workspace</Title>
            <TextInput label="Workspace name" required {...form.getInputProps('name')} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="Default language" description="WhatsApp language code for channels that set none, e.g. en_US" {...form.getInputProps('defaultLanguage')} />
              <Select label="Time zone" description="For business hours and reports" searchable allowDeselect={false} data={zones} {...form.getInputProps('timeZone')} />
            </SimpleGrid>
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack>
            <Title order={4}>Opt-out and opt-in</Title>
            <Text size="sm" c="dimmed">
              A customer message that is exactly one of these words (any case) opts the contact out of, or back into, messages from this workspace.
            </Text>
            <TagsInput label="Opt-out keywords" placeholder="Type a word and press Enter" description="Such as STOP, UNSUBSCRIBE" {...form.getInputProps('optOutKeywords')} />
            <TagsInput label="Opt-in keywords" placeholder="Type a word and press Enter" description="Such as START" {...form.getInputProps('optInKeywords')} />
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack>
            <Title order={4}>Conversations</Title>
            <NumberInput
              label="Reopen grace (minutes)"
              description="A customer message this soon after a conversation is resolved reopens it; later it opens a new one. 0: always a new one."
              min={0}
              max={43200}
              maw={320}
              {...form.getInputProps('reopenGraceMinutes')}
            />
            <Text size="sm" c="dimmed">
              Send retries and rate limits are set per number, on each channel&apos;s Sending tab in{' '}
              <Anchor component={Link} to="/channels" size="sm">
                Channels
              </Anchor>
              .
            </Text>
          </Stack>
        </Card>
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            Last changed {formatDateTime(settings.updatedAt)}
          </Text>
          <Button type="submit" loading={state.fetching} disabled={!form.isDirty()}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
