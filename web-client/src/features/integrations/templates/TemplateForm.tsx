// The template editor's fields, beside a live preview of the bubble the customer will see.
// Only emptiness is checked here: everything else (name format, lengths, placeholders) is the
// API's to judge, and its message and code show above the buttons.

import {
  Button,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconBraces } from '@tabler/icons-react';
import { useRef } from 'react';
import type { CombinedError } from 'urql';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { TemplatePreview } from '../../../components/TemplatePreview';
import { placeholderKeys } from '../../../components/templateText';
import type { TemplateCategory } from '../../../gql/graphql';

export type TemplateFormValues = {
  channelId: string;
  name: string;
  language: string;
  category: TemplateCategory;
  headerKind: 'NONE' | 'TEXT';
  headerText: string;
  body: string;
  examples: Record<string, string>;
  footer: string;
  quickReplies: string[];
};

export const emptyTemplate: TemplateFormValues = {
  channelId: '',
  name: '',
  language: 'en',
  category: 'UTILITY',
  headerKind: 'NONE',
  headerText: '',
  body: '',
  examples: {},
  footer: '',
  quickReplies: [],
};

const LANGUAGES = ['en', 'en_US', 'en_GB', 'es', 'es_ES', 'es_MX', 'pt_BR', 'pt_PT', 'fr', 'de', 'it', 'nl', 'ar', 'hi', 'id'];

/** The next positional placeholder after the ones the body has. */
export function nextPlaceholder(body: string): string {
  const numbers = placeholderKeys(body)
    .map(Number)
    .filter((n) => Number.isInteger(n));
  return `{{${numbers.length ? Math.max(...numbers) + 1 : 1}}}`;
}

export function TemplateForm({
  initial,
  editing,
  channels,
  submitting,
  error,
  onSubmit,
  onCancel,
}: {
  initial: TemplateFormValues;
  /** Editing an existing template: its channel, name and language stay. */
  editing: boolean;
  channels: { value: string; label: string }[];
  submitting: boolean;
  error?: CombinedError;
  onSubmit: (values: TemplateFormValues, examples: string[]) => void;
  onCancel: () => void;
}) {
  const form = useForm<TemplateFormValues>({
    mode: 'controlled',
    initialValues: initial,
    validate: {
      channelId: (v) => (v ? null : 'Pick the channel whose number sends it'),
      name: (v) => (v.trim() ? null : 'Give the template a name'),
      language: (v) => (v.trim() ? null : 'Give its language'),
      body: (v) => (v.trim() ? null : 'Write the message body'),
    },
  });
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const values = form.getValues();
  const keys = placeholderKeys(values.body);

  const insertVariable = () => {
    const token = nextPlaceholder(values.body);
    const el = bodyRef.current;
    const at = el ? el.selectionStart : values.body.length;
    const body = values.body.slice(0, at) + token + values.body.slice(at);
    form.setFieldValue('body', body);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  return (
    <form
      onSubmit={form.onSubmit((v) =>
        onSubmit(
          v,
          placeholderKeys(v.body).map((k) => v.examples[k] ?? ''),
        ),
      )}
    >
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, sm: 7 }}>
          <Stack gap="md">
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <Select
                label="Channel"
                placeholder="Pick a channel"
                data={channels}
                disabled={editing}
                allowDeselect={false}
                {...form.getInputProps('channelId')}
              />
              <TextInput
                label="Name"
                description="Lowercase letters, digits and underscores"
                placeholder="order_update"
                disabled={editing}
                {...form.getInputProps('name')}
              />
              <Select
                label="Language"
                data={LANGUAGES}
                searchable
                disabled={editing}
                allowDeselect={false}
                {...form.getInputProps('language')}
              />
              <Select
                label="Category"
                allowDeselect={false}
                data={[
                  { value: 'UTILITY', label: 'Utility' },
                  { value: 'MARKETING', label: 'Marketing' },
                  { value: 'AUTHENTICATION', label: 'Authentication' },
                ]}
                {...form.getInputProps('category')}
              />
            </SimpleGrid>

            <Stack gap={4}>
              <Text size="sm" fw={500} id="template-header">
                Header
              </Text>
              <SegmentedControl
                aria-labelledby="template-header"
                style={{ alignSelf: 'flex-start' }}
                data={[
                  { value: 'NONE', label: 'None' },
                  { value: 'TEXT', label: 'Text' },
                  { value: 'MEDIA', label: 'Media', disabled: true },
                ]}
                {...form.getInputProps('headerKind')}
              />
              <Text size="xs" c="dimmed">
                Up to 60 characters, no variables. Media headers are not in the API yet.
              </Text>
              {values.headerKind === 'TEXT' && (
                <TextInput aria-label="Header text" placeholder="Your order" maxLength={60} {...form.getInputProps('headerText')} />
              )}
            </Stack>

            <Stack gap={4}>
              <Group justify="space-between" align="flex-end">
                <Text size="sm" fw={500} component="label" htmlFor="template-body">
                  Body
                </Text>
                <Button variant="subtle" size="compact-sm" leftSection={<IconBraces size={14} />} onClick={insertVariable}>
                  Add variable
                </Button>
              </Group>
              <Textarea
                id="template-body"
                ref={bodyRef}
                autosize
                minRows={4}
                maxRows={12}
                placeholder="Hi {{1}}, your order {{2}} is on its way."
                description="Variables: {{1}}, {{2}}… (Meta also takes named ones such as {{first_name}})"
                {...form.getInputProps('body')}
              />
            </Stack>

            {keys.length > 0 && (
              <Paper withBorder p="sm" radius="md">
                <Text size="sm" fw={500} mb={4}>
                  Examples
                </Text>
                <Text size="xs" c="dimmed" mb="xs">
                  WhatsApp reviews the template with one example per variable.
                </Text>
                <SimpleGrid cols={{ base: 1, lg: 2 }}>
                  {keys.map((key) => (
                    <TextInput
                      key={key}
                      label={`Example for {{${key}}}`}
                      value={values.examples[key] ?? ''}
                      onChange={(e) => form.setFieldValue('examples', { ...values.examples, [key]: e.currentTarget.value })}
                    />
                  ))}
                </SimpleGrid>
              </Paper>
            )}

            <TextInput label="Footer" placeholder="Reply STOP to opt out" maxLength={60} {...form.getInputProps('footer')} />
            <TagsInput
              label="Quick-reply buttons"
              description="Up to 10, 25 characters each; press Enter after each"
              maxTags={10}
              {...form.getInputProps('quickReplies')}
            />
            {error && <ErrorAlert error={error} title="The template was not saved" />}
            <Group justify="flex-end">
              <Button variant="default" onClick={onCancel}>
                Cancel
              </Button>
              <Button type="submit" loading={submitting}>
                {editing ? 'Save and resubmit' : 'Create template'}
              </Button>
            </Group>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 5 }}>
          <Stack gap="xs" pos="sticky" top={80}>
            <Title order={4}>Preview</Title>
            <TemplatePreview
              headerText={values.headerKind === 'TEXT' ? values.headerText : null}
              body={values.body}
              footer={values.footer}
              quickReplies={values.quickReplies}
              values={values.examples}
              time="12:00"
            />
          </Stack>
        </Grid.Col>
      </Grid>
    </form>
  );
}
