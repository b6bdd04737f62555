import { ActionIcon, Alert, Badge, Group, Paper, Progress, Text } from '@mantine/core';
import { IconFile, IconPhoto, IconX } from '@tabler/icons-react';
import type { Attachment } from './useAttachment';

function size(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The attachment under the reply box: its upload's progress, cancel, or the server's error. */
export function AttachmentBar({ attachment, onRemove }: { attachment: Attachment; onRemove: () => void }) {
  const uploading = attachment.state === 'uploading';
  const label = uploading ? 'Cancel the upload' : 'Remove the attachment';
  return (
    <Paper withBorder radius="sm" px="sm" py={6}>
      <Group gap="sm" wrap="nowrap">
        {attachment.kind === 'IMAGE' ? <IconPhoto size={18} aria-hidden /> : <IconFile size={18} aria-hidden />}
        <Text size="sm" truncate style={{ flex: 1, minWidth: 0 }}>
          {attachment.name}{' '}
          <Text span size="xs" c="dimmed">
            {size(attachment.size)}
          </Text>
        </Text>
        {attachment.state === 'ready' && (
          <Badge color="teal" variant="light">
            Ready to send
          </Badge>
        )}
        {uploading && (
          <>
            <Progress
              value={Math.round(attachment.progress * 100)}
              w={140}
              animated
              aria-label={`Uploading ${attachment.name}`}
            />
            <Text size="xs" c="dimmed" w={34} ta="right" aria-hidden>
              {Math.round(attachment.progress * 100)}%
            </Text>
          </>
        )}
        <ActionIcon variant="subtle" color="gray" aria-label={label} onClick={onRemove}>
          <IconX size={16} />
        </ActionIcon>
      </Group>
      {attachment.error && (
        <Alert color="red" variant="light" mt={6} p="xs" role="alert" title="The upload failed">
          {attachment.error.message} ({attachment.error.code})
        </Alert>
      )}
    </Paper>
  );
}
