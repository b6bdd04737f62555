import { Alert, Code, Group, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { describeError } from '../lib/errors';

/** The API's message and its `extensions.code`, as every failed request shows it. */
export function ErrorAlert({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const { message, code } = describeError(error);
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title} role="alert">
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Text size="sm" style={{ flex: 1 }}>
          {message}
        </Text>
        <Code data-testid="error-code">{code}</Code>
      </Group>
    </Alert>
  );
}
