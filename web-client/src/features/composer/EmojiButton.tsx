import { ActionIcon, Center, Loader, Popover } from '@mantine/core';
import { IconMoodSmile } from '@tabler/icons-react';
import { lazy, Suspense, useState } from 'react';

const EmojiPanel = lazy(() => import('./EmojiPanel'));

/** An emoji button whose picker inserts at the reply box's caret. */
export function EmojiButton({ onPick, disabled }: { onPick: (emoji: string) => void; disabled?: boolean }) {
  const [opened, setOpened] = useState(false);
  return (
    <Popover opened={opened} onChange={setOpened} position="top-start" shadow="md" withinPortal trapFocus>
      <Popover.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          size="lg"
          aria-label="Insert an emoji"
          disabled={disabled}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => setOpened((o) => !o)}
        >
          <IconMoodSmile size={20} />
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown p={0}>
        <Suspense
          fallback={
            <Center w={320} h={380}>
              <Loader size="sm" aria-label="Loading emoji" />
            </Center>
          }
        >
          <EmojiPanel
            onPick={(emoji) => {
              onPick(emoji);
              setOpened(false);
            }}
          />
        </Suspense>
      </Popover.Dropdown>
    </Popover>
  );
}
