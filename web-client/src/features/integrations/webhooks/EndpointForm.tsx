// An endpoint's settings: where it is, what role its payloads are read as, and for each event
// type it receives, the GraphQL subscription document that shapes the payload (the API's
// default to start from). A document the API refuses shows its message, line and column under
// that document.

import {
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import type { CombinedError } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { WebhookEventType, WebhookRole } from '../../../gql/graphql';
import { eventIndexOf, formatDocument, locationOf } from './eventDocuments';

export type EventTypeInfo = { type: WebhookEventType; field: string; defaultDocument: string; adminOnly: boolean };

export type EndpointFormValues = {
  url: string;
  description: string;
  enabled: boolean;
  role: WebhookRole;
  /** The chosen event types, in the order of `webhookEventTypes`, with their documents. */
  events: { type: WebhookEventType; document: string }[];
};

export function EndpointForm({
  initial,
  eventTypes,
  submitting,
  error,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: EndpointFormValues;
  eventTypes: EventTypeInfo[];
  submitting: boolean;
  error?: CombinedError;
  submitLabel: string;
  onSubmit: (values: EndpointFormValues) => void;
  onCancel: () => void;
}) {
  const [url, setUrl] = useState(initial.url);
  const [description, setDescription] = useState(initial.description);
  const [enabled, setEnabled] = useState(initial.enabled);
  const [role, setRole] = useState<WebhookRole>(initial.role);
  const [documents, setDocuments] = useState<Partial<Record<WebhookEventType, string>>>(() =>
    Object.fromEntries(initial.events.map((e) => [e.type, e.document])),
  );
  const [urlError, setUrlError] = useState<string | null>(null);
  const [eventsError, setEventsError] = useState<string | null>(null);

  // An error stops showing once the documents change after it: it is about the old text.
  const [editedAfter, setEditedAfter] = useState<CombinedError | undefined>();
  const shown = error && error !== editedAfter ? error : undefined;
  const edited = () => setEditedAfter(error);

  const subscribable = eventTypes.filter((t) => t.type !== 'PING');
  const chosen = subscribable.filter((t) => documents[t.type] !== undefined);
  const failedIndex = eventIndexOf(shown);
  const failedType = failedIndex !== null ? chosen[failedIndex]?.type : undefined;
  const failedMessage = shown?.graphQLErrors[0]?.message ?? '';
  const where = locationOf(failedMessage);

  const toggle = (info: EventTypeInfo, on: boolean) => {
    edited();
    setDocuments((d) => {
      const next = { ...d };
      if (on) next[info.type] = formatDocument(info.defaultDocument);
      else delete next[info.type];
      return next;
    });
  };

  const submit = () => {
    const missingUrl = !url.trim();
    setUrlError(missingUrl ? 'Give the URL Switchboard posts to' : null);
    setEventsError(chosen.length === 0 ? 'Pick at least one event type' : null);
    if (missingUrl || chosen.length === 0) return;
    onSubmit({
      url: url.trim(),
      description: description.trim(),
      enabled,
      role,
      events: chosen.map((t) => ({ type: t.type, document: documents[t.type] ?? '' })),
    });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="md">
        <TextInput
          label="URL"
          description="https to a public address (or a host your operator allows)"
          placeholder="https://example.com/switchboard"
          value={url}
          error={urlError}
          onChange={(e) => setUrl(e.currentTarget.value)}
        />
        <TextInput label="Description" placeholder="CRM sync" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Group gap="xl" align="flex-end">
          <Stack gap={4}>
            <Text size="sm" fw={500} id="endpoint-role">
              Read payloads as
            </Text>
            <SegmentedControl
              aria-labelledby="endpoint-role"
              value={role}
              onChange={(v) => setRole(v as WebhookRole)}
              data={[
                { value: 'ADMIN', label: 'Admin' },
                { value: 'AGENT', label: 'Agent' },
              ]}
            />
          </Stack>
          <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} mb={6} />
        </Group>

        <Checkbox.Group label="Event types" description="What Switchboard calls this endpoint for" error={eventsError}>
          <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
            {subscribable.map((info) => (
              <Checkbox
                key={info.type}
                value={info.type}
                checked={documents[info.type] !== undefined}
                onChange={(e) => toggle(info, e.currentTarget.checked)}
                disabled={role === 'AGENT' && info.adminOnly}
                label={
                  <Group gap={6}>
                    <span>{info.type}</span>
                    {info.adminOnly && (
                      <Badge size="xs" variant="light" color="grape">
                        admin only
                      </Badge>
                    )}
                  </Group>
                }
              />
            ))}
          </SimpleGrid>
        </Checkbox.Group>

        {chosen.map((info) => (
          <Paper key={info.type} withBorder p="sm" radius="md">
            <Group justify="space-between" mb={4}>
              <Text size="sm" fw={500}>
                Payload of {info.type} <Code>{info.field}</Code>
              </Text>
              {failedType === info.type && where && (
                <Badge color="red" variant="light" data-testid="document-error-location">
                  Line {where.line}, column {where.column}
                </Badge>
              )}
              <Button
                variant="subtle"
                size="compact-xs"
                disabled={documents[info.type] === formatDocument(info.defaultDocument)}
                onClick={() => {
                  edited();
                  setDocuments((d) => ({ ...d, [info.type]: formatDocument(info.defaultDocument) }));
                }}
              >
                Reset to default
              </Button>
            </Group>
            <Textarea
              label={`Document for ${info.type}`}
              description="A GraphQL subscription document: the delivery carries exactly what it selects"
              autosize
              minRows={3}
              maxRows={14}
              spellCheck={false}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
              value={documents[info.type] ?? ''}
              onChange={(e) => {
                const value = e.currentTarget.value;
                edited();
                setDocuments((d) => ({ ...d, [info.type]: value }));
              }}
              error={failedType === info.type ? failedMessage : undefined}
            />
          </Paper>
        ))}

        {shown && <ErrorAlert error={shown} title="The endpoint was not saved" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={submitting}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
