// WhatsApp's formatting, applied to the reply box's selection.

import { ActionIcon, Group, Tooltip } from '@mantine/core';
import {
  IconBlockquote,
  IconBold,
  IconCode,
  IconItalic,
  IconList,
  IconListNumbers,
  IconStrikethrough,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { BlockStyle, InlineStyle } from './format';

type Tool = { label: string; icon: ReactNode } & ({ inline: InlineStyle } | { block: BlockStyle });

const TOOLS: Tool[] = [
  { label: 'Bold (*text*)', icon: <IconBold size={16} />, inline: 'bold' },
  { label: 'Italic (_text_)', icon: <IconItalic size={16} />, inline: 'italic' },
  { label: 'Strikethrough (~text~)', icon: <IconStrikethrough size={16} />, inline: 'strike' },
  { label: 'Monospace (```text```)', icon: <IconCode size={16} />, inline: 'mono' },
  { label: 'Bulleted list', icon: <IconList size={16} />, block: 'bullet' },
  { label: 'Numbered list', icon: <IconListNumbers size={16} />, block: 'numbered' },
  { label: 'Quote', icon: <IconBlockquote size={16} />, block: 'quote' },
];

export function FormatToolbar({
  onInline,
  onBlock,
  disabled,
}: {
  onInline: (style: InlineStyle) => void;
  onBlock: (style: BlockStyle) => void;
  disabled?: boolean;
}) {
  return (
    <Group gap={2} role="toolbar" aria-label="Formatting">
      {TOOLS.map((t) => (
        <Tooltip key={t.label} label={t.label} openDelay={400}>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={t.label.replace(/ \(.*\)$/, '')}
            disabled={disabled}
            // Keep the textarea's selection: a mousedown on the button would blur it first.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => ('inline' in t ? onInline(t.inline) : onBlock(t.block))}
          >
            {t.icon}
          </ActionIcon>
        </Tooltip>
      ))}
    </Group>
  );
}
