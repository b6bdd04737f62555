// A signing secret, shown once: the API never answers it again.

import { ActionIcon, Alert, Button, Code, CopyButton, Group, Modal, Stack, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconKey } from '@tabler/icons-react';
import { formatDateTime } from '../../../lib/time';

export function SecretModal({
  secret,
  previousUntil,
  onClose,
}: {
  secret: string | null;
  /** After a rotation: until when the old secret still signs beside this one. */
  previousUntil?: string | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={!!secret}
      onClose={onClose}
      title="The signing secret"
      closeOnClickOutside={false}
      closeOnEscape={false}
      withCloseButton={false}
      size="lg"
    >
      <Stack gap="sm">
        <Alert color="yellow" variant="light" icon={<IconKey size={18} />}>
          Copy it now: it is shown this once. Verify each delivery's <Code>x-switchboard-signature</Code> with it.
        </Alert>
        <Group gap="xs" wrap="nowrap">
          <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid="webhook-secret">
            {secret}
          </Code>
          <CopyButton value={secret ?? ''}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy'}>
                <ActionIcon variant="light" color={copied ? 'teal' : 'blue'} onClick={copy} aria-label="Copy the secret" size="lg">
                  {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
        {previousUntil && (
          <Text size="sm" c="dimmed">
            The previous secret keeps signing beside this one until {formatDateTime(previousUntil)}.
          </Text>
        )}
        <Group justify="flex-end">
          <Button onClick={onClose}>I have stored it</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
