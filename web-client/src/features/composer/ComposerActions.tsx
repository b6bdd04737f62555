import { ActionIcon, FileButton, Group, Switch, Tooltip } from '@mantine/core';
import { IconPaperclip } from '@tabler/icons-react';
import { EmojiButton } from './EmojiButton';

/** The row under the reply box: attach, emoji, and the formatting preview switch. */
export function ComposerActions({
  note,
  preview,
  onPreview,
  onFile,
  onEmoji,
}: {
  note: boolean;
  preview: boolean;
  onPreview: (on: boolean) => void;
  onFile: (file: File) => void;
  onEmoji: (emoji: string) => void;
}) {
  return (
    <Group gap={4} wrap="nowrap">
      {!note && (
        <FileButton onChange={(f) => f && onFile(f)} inputProps={{ 'aria-label': 'Attachment file' }}>
          {(props) => (
            <Tooltip label="Attach a file (or paste or drop one)" openDelay={400}>
              <ActionIcon {...props} variant="subtle" color="gray" size="lg" aria-label="Attach a file">
                <IconPaperclip size={20} />
              </ActionIcon>
            </Tooltip>
          )}
        </FileButton>
      )}
      <EmojiButton onPick={onEmoji} />
      <Switch
        size="xs"
        ml="xs"
        label="Preview"
        checked={preview}
        onChange={(e) => onPreview(e.currentTarget.checked)}
      />
    </Group>
  );
}
