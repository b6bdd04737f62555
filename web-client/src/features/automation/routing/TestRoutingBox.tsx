import { Alert, Badge, Button, Group, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import { useState } from 'react';
import { useClient, type CombinedError } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { AutomationTestRoutingQuery, RoutedBy } from '../../../gql/graphql';
import { TestRouting } from './documents';

const ROUTED_BY: Record<RoutedBy, string> = {
  RULE: 'A rule held',
  CHANNEL_DEFAULT: "No rule held: the channel's default queue",
  TENANT_DEFAULT: "No rule held: the team's default queue",
};

/** Asks the API which rule and queue a first message would get; nothing is stored. */
export function TestRoutingBox({ channels }: { channels: { id: string; name: string }[] }) {
  const client = useClient();
  const [channelId, setChannelId] = useState<string | null>(channels[0]?.id ?? null);
  const [text, setText] = useState('');
  const [language, setLanguage] = useState('');
  const [result, setResult] = useState<AutomationTestRoutingQuery['testRouting'] | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const [fetching, setFetching] = useState(false);

  const run = async () => {
    if (!channelId) return;
    setFetching(true);
    setError(null);
    const answer = await client
      .query(TestRouting, { input: { channelId, text, language: language.trim() || null } }, { requestPolicy: 'network-only' })
      .toPromise();
    setFetching(false);
    if (answer.error || !answer.data) {
      setResult(null);
      setError(answer.error ?? null);
    } else setResult(answer.data.testRouting);
  };

  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group gap="xs">
          <IconFlask size={18} aria-hidden />
          <Title order={4}>Test a message</Title>
        </Group>
        <Text size="sm" c="dimmed">
          Which rule and queue would a new conversation starting with this message get? Nothing is stored.
        </Text>
        {channels.length === 0 ? (
          <Alert variant="light" color="gray">
            Connect a channel first: routing decides per channel.
          </Alert>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run();
            }}
          >
            <Stack gap="sm">
              <Select label="Channel" data={channels.map((c) => ({ value: c.id, label: c.name }))} value={channelId} onChange={setChannelId} allowDeselect={false} />
              <Textarea label="First message" placeholder="Hi, I want a refund for order 1234" autosize minRows={2} value={text} onChange={(e) => setText(e.currentTarget.value)} />
              <TextInput label="Contact language" placeholder="Optional, e.g. es" value={language} onChange={(e) => setLanguage(e.currentTarget.value)} />
              <Group justify="flex-end">
                <Button type="submit" variant="light" loading={fetching} disabled={!text.trim()}>
                  Test routing
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        {error && <ErrorAlert error={error} title="Test failed" />}
        {result && (
          <Alert variant="light" color={result.routedBy === 'RULE' ? 'teal' : 'blue'} title="Decision" aria-live="polite" data-testid="routing-decision">
            <Stack gap={4}>
              <Text size="sm">{ROUTED_BY[result.routedBy]}</Text>
              {result.rule && (
                <Group gap="xs">
                  <Text size="sm">Rule:</Text>
                  <Badge variant="filled" tt="none">
                    {result.rule.name}
                  </Badge>
                </Group>
              )}
              <Group gap="xs">
                <Text size="sm">Queue:</Text>
                <Badge variant="outline" tt="none">
                  {result.queue.name}
                </Badge>
              </Group>
            </Stack>
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
