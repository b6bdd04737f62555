// The quick-reply list that opens when the agent types `/` in the reply box: the tenant's
// replies whose shortcut starts with (or whose text contains) what follows the slash.
// Arrow keys move, Enter or a click picks, Escape closes.

import { Badge, Combobox, Group, Loader, Text, useCombobox } from '@mantine/core';
import { IconPaperclip } from '@tabler/icons-react';
import { useEffect, useLayoutEffect, useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ComposerQuickRepliesQuery } from '../../gql/graphql';
import { describeError } from '../../lib/errors';
import type { SlashTrigger } from './slash';

export type QuickReplyItem = ComposerQuickRepliesQuery['quickReplies'][number];

const QuickRepliesQuery = graphql(`
  query ComposerQuickReplies($search: String) {
    quickReplies(search: $search) {
      id
      shortcut
      text
      media {
        type
        mediaId
      }
    }
  }
`);

export function QuickReplyMenu({
  trigger,
  onPick,
  onOffering,
  children,
}: {
  trigger: SlashTrigger | null;
  onPick: (reply: QuickReplyItem) => void;
  /** Whether the list is open with replies to pick, so Enter picks rather than sends. */
  onOffering: (offering: boolean) => void;
  children: ReactNode;
}) {
  // Escape dismisses the list for this `/` only; typing a new one opens it again.
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const opened = trigger !== null && trigger.start !== dismissedAt;
  const combobox = useCombobox({
    opened,
    onOpenedChange: (next) => {
      if (!next && trigger) setDismissedAt(trigger.start);
    },
  });
  const [{ data, fetching, error }] = useQuery({
    query: QuickRepliesQuery,
    variables: { search: trigger?.query || null },
    pause: !opened,
  });
  // The answer to an earlier search may still show while this one loads: narrow it to what
  // is typed now, as the server does, so Enter never picks a reply that no longer matches.
  const query = (trigger?.query ?? '').toLowerCase();
  const replies = (data?.quickReplies ?? []).filter(
    (r) => !query || r.shortcut.toLowerCase().startsWith(query) || r.text.toLowerCase().includes(query),
  );

  // While a search loads, Enter waits too: it would otherwise send the half-typed shortcut.
  const offering = opened && (replies.length > 0 || fetching);
  useEffect(() => onOffering(offering), [offering, onOffering]);

  // Before the browser paints the new list, so a key pressed on it acts on its first reply.
  useLayoutEffect(() => {
    if (opened && replies.length > 0) combobox.selectFirstOption();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened, replies.map((r) => r.id).join()]);

  return (
    <Combobox
      store={combobox}
      position="top-start"
      width={420}
      withinPortal
      onOptionSubmit={(id) => {
        const reply = replies.find((r) => r.id === id);
        if (reply) onPick(reply);
      }}
    >
      <Combobox.Target withAriaAttributes={false}>{children}</Combobox.Target>
      <Combobox.Dropdown aria-label="Quick replies">
        <Combobox.Header>
          <Text size="xs" c="dimmed">
            Quick replies{trigger?.query ? ` matching “${trigger.query}”` : ''}: ↑↓ to move, Enter to insert
          </Text>
        </Combobox.Header>
        <Combobox.Options aria-label="Quick replies" mah={260} style={{ overflowY: 'auto' }}>
          {error ? (
            <Combobox.Empty>
              {describeError(error).message} ({describeError(error).code})
            </Combobox.Empty>
          ) : fetching && replies.length === 0 ? (
            <Combobox.Empty>
              <Loader size="xs" aria-label="Loading quick replies" />
            </Combobox.Empty>
          ) : replies.length === 0 ? (
            <Combobox.Empty>No quick reply matches. An admin adds them under Quick replies.</Combobox.Empty>
          ) : (
            replies.map((r) => (
              <Combobox.Option key={r.id} value={r.id} aria-label={`/${r.shortcut}`}>
                <Group gap="xs" wrap="nowrap">
                  <Badge variant="light" radius="sm" miw={72} style={{ flexShrink: 0, textTransform: 'none' }}>
                    /{r.shortcut}
                  </Badge>
                  <Text size="sm" lineClamp={1} style={{ flex: 1 }}>
                    {r.text}
                  </Text>
                  {r.media && <IconPaperclip size={14} aria-label="With an attachment" />}
                </Group>
              </Combobox.Option>
            ))
          )}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
