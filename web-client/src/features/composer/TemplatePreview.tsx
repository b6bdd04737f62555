import { Box, Button, Paper, Stack, Text } from '@mantine/core';
import { fillTemplate } from './template';
import { WhatsAppText } from './WhatsAppText';

export type PreviewTemplate = {
  body: string;
  headerText: string | null;
  footer: string | null;
  quickReplies: string[];
};

/** The filled template as a WhatsApp message bubble, with its header, footer and buttons. */
export function TemplatePreview({ template, values }: { template: PreviewTemplate; values: Record<string, string> }) {
  return (
    <Box
      p="sm"
      style={{ background: 'light-dark(var(--mantine-color-gray-1), var(--mantine-color-dark-8))', borderRadius: 8 }}
      aria-label="Preview of the message"
      role="figure"
    >
      <Stack gap={4} maw={340}>
        <Paper
          p="xs"
          radius="md"
          shadow="xs"
          style={{ background: 'light-dark(var(--mantine-color-green-0), var(--mantine-color-dark-5))' }}
          data-testid="template-preview"
        >
          {template.headerText && (
            <Text fw={700} size="sm" mb={4}>
              {template.headerText}
            </Text>
          )}
          <WhatsAppText text={fillTemplate(template.body, values)} />
          {template.footer && (
            <Text size="xs" c="dimmed" mt={4}>
              {template.footer}
            </Text>
          )}
        </Paper>
        {template.quickReplies.map((q) => (
          <Button key={q} variant="default" size="xs" radius="md" tabIndex={-1} component="div">
            {q}
          </Button>
        ))}
      </Stack>
    </Box>
  );
}
