// The emoji picker itself: a large module, loaded only when the agent first opens it.

import { useComputedColorScheme } from '@mantine/core';
import EmojiPicker, { EmojiStyle, Theme } from 'emoji-picker-react';

export default function EmojiPanel({ onPick }: { onPick: (emoji: string) => void }) {
  const scheme = useComputedColorScheme('light');
  return (
    <EmojiPicker
      // Native glyphs: the other styles load images from a CDN, which the CSP refuses.
      emojiStyle={EmojiStyle.NATIVE}
      theme={scheme === 'dark' ? Theme.DARK : Theme.LIGHT}
      lazyLoadEmojis
      width={320}
      height={380}
      previewConfig={{ showPreview: false }}
      onEmojiClick={(e) => onPick(e.emoji)}
    />
  );
}
