// Sending an APPROVED template of the conversation's channel: the one kind of message that
// goes out when the 24-hour window is closed. Pick one, fill its variables, watch the
// preview, send as `content.template`.

import { Badge, Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EmptyState, QueryState } from '../../components/QueryState';
import { graphql } from '../../gql';
import { useMutationAction } from '../../lib/useMutationAction';
import { missingVariables, variableInputs, variableLabel } from './template';
import { TemplatePreview } from './TemplatePreview';

const TemplatesQuery = graphql(`
  query ComposerTemplates($channelId: ID!) {
    templates(channelId: $channelId) {
      id
      name
      language
      category
      status
      body
      headerText
      footer
      quickReplies
      variables
    }
  }
`);

const SendTemplate = graphql(`
  mutation ComposerSendTemplate($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      status
      text
    }
  }
`);

export function TemplatePicker({
  conversationId,
  channelId,
  onSent,
}: {
  conversationId: string;
  channelId: string;
  onSent?: (id: string) => void;
}) {
  const [{ data, fetching, error }] = useQuery({ query: TemplatesQuery, variables: { channelId } });
  const approved = useMemo(() => (data?.templates ?? []).filter((t) => t.status === 'APPROVED'), [data]);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [sendState, send] = useMutationAction(SendTemplate, 'Template sent');
  const template = approved.find((t) => t.id === templateId) ?? null;
  const missing = template ? missingVariables(template.variables, values) : [];

  const submit = async () => {
    if (!template || missing.length) return;
    const sent = await send({
      input: {
        conversationId,
        content: { template: { templateId: template.id, variables: variableInputs(template.variables, values) } },
      },
    });
    if (sent) {
      setValues({});
      setTemplateId(null);
      onSent?.(sent.sendMessage.id);
    }
  };

  return (
    <QueryState
      fetching={fetching}
      error={error}
      hasData={!!data}
      empty={approved.length === 0}
      emptyTitle="No approved templates on this channel"
      emptyHint="An admin creates templates under Templates; WhatsApp must approve one before it can be sent."
    >
      <Stack gap="sm">
        <Select
          label="Template"
          placeholder="Pick an approved template"
          searchable
          data={approved.map((t) => ({ value: t.id, label: `${t.name} (${t.language})` }))}
          value={templateId}
          onChange={(id) => {
            setTemplateId(id);
            setValues({});
          }}
          comboboxProps={{ withinPortal: true }}
        />
        {template ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <Stack gap="xs">
              <Group gap="xs">
                {template.category && <Badge variant="light">{template.category}</Badge>}
                <Text size="xs" c="dimmed">
                  {template.variables.length === 0
                    ? 'This template has no variables.'
                    : `${template.variables.length} variable${template.variables.length > 1 ? 's' : ''} to fill`}
                </Text>
              </Group>
              {template.variables.map((key) => (
                <TextInput
                  key={key}
                  label={variableLabel(key)}
                  description={`Replaces {{${key}}}`}
                  value={values[key] ?? ''}
                  onChange={(e) => {
                    const value = e.currentTarget.value;
                    setValues((v) => ({ ...v, [key]: value }));
                  }}
                  required
                />
              ))}
              <Group justify="flex-end" mt="xs">
                <Button
                  leftSection={<IconSend size={16} />}
                  onClick={() => void submit()}
                  loading={sendState.fetching}
                  disabled={missing.length > 0}
                >
                  Send template
                </Button>
              </Group>
            </Stack>
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Preview
              </Text>
              <TemplatePreview template={template} values={values} />
            </Stack>
          </SimpleGrid>
        ) : (
          <EmptyState title="Pick a template" hint="Its variables and a preview of the message appear here." />
        )}
        {sendState.error && <ErrorAlert error={sendState.error} title="The template was not sent" />}
      </Stack>
    </QueryState>
  );
}
