// A template as the customer's WhatsApp shows it: a bubble with the header, the body with its
// variables filled in (by the values given, else the examples, else left as `{{key}}`), the
// footer and the quick-reply buttons under it. The composer reuses it to preview a send.

import { Box, Group, Mark, Paper, Stack, Text } from '@mantine/core';
import { IconArrowBackUp } from '@tabler/icons-react';
import { fillParts, placeholderKeys, valuesByKey } from './templateText';

export type TemplatePreviewProps = {
  headerText?: string | null;
  body: string;
  footer?: string | null;
  quickReplies?: string[];
  /** Values by variable key (`1`, `first_name`…); these win over `examples`. */
  values?: Record<string, string | undefined>;
  /** Example values in the body's placeholder order. */
  examples?: (string | undefined)[];
  /** The time shown in the bubble's corner. */
  time?: string;
};

export function TemplatePreview({ headerText, body, footer, quickReplies = [], values = {}, examples = [], time }: TemplatePreviewProps) {
  const fromExamples = valuesByKey(placeholderKeys(body), examples);
  const filled = { ...fromExamples, ...Object.fromEntries(Object.entries(values).filter(([, v]) => v)) };
  const buttons = quickReplies.filter((b) => b.trim());
  return (
    <Box
      role="figure"
      aria-label="Template preview"
      p="md"
      style={{ borderRadius: 'var(--mantine-radius-md)', background: 'light-dark(#e5ddd5, var(--mantine-color-dark-8))' }}
    >
      <Stack gap={4} maw={340}>
        <Paper shadow="xs" radius="md" p="sm" style={{ background: 'light-dark(#ffffff, var(--mantine-color-dark-5))' }}>
          {headerText?.trim() && (
            <Text fw={700} size="sm" mb={4} data-testid="preview-header">
              {headerText}
            </Text>
          )}
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="preview-body">
            {body.trim() ? (
              fillParts(body, filled).map((part, i) =>
                part.variable ? (
                  <Mark key={i} color={part.missing ? 'orange' : 'teal'} title={`Variable {{${part.variable}}}`}>
                    {part.text}
                  </Mark>
                ) : (
                  <span key={i}>{part.text}</span>
                ),
              )
            ) : (
              <Text span c="dimmed" size="sm">
                The body appears here as you type it.
              </Text>
            )}
          </Text>
          {footer?.trim() && (
            <Text size="xs" c="dimmed" mt={6} data-testid="preview-footer">
              {footer}
            </Text>
          )}
          {time && (
            <Text size="xs" c="dimmed" ta="right" mt={2}>
              {time}
            </Text>
          )}
        </Paper>
        {buttons.map((title, i) => (
          <Paper
            key={`${title}-${i}`}
            shadow="xs"
            radius="md"
            py={6}
            data-testid="preview-button"
            style={{ background: 'light-dark(#ffffff, var(--mantine-color-dark-5))' }}
          >
            <Group gap={6} justify="center" wrap="nowrap">
              <IconArrowBackUp size={14} aria-hidden color="var(--mantine-color-blue-filled)" />
              <Text size="sm" c="blue" fw={500}>
                {title}
              </Text>
            </Group>
          </Paper>
        ))}
      </Stack>
    </Box>
  );
}
