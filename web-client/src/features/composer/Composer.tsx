// The reply box of a conversation. The inbox renders it under the timeline; this file's
// props are the contract between the two.

import { Button, Group, Textarea } from '@mantine/core';
import { useState } from 'react';
import { graphql } from '../../gql';
import { useMutationAction } from '../../lib/useMutationAction';

export type ComposerProps = {
  conversationId: string;
  channelId: string;
  /** The customer's number (E.164), where a reply goes. */
  contactPhone: string;
  /** Whether the 24-hour window is open: when closed, only templates may be sent. */
  windowOpen: boolean;
  /** Called with the new message's id after a send (or the note's id after a note). */
  onSent?: (id: string) => void;
};

const SendText = graphql(`
  mutation ComposerSendText($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      status
    }
  }
`);

export function Composer({ conversationId, windowOpen, onSent }: ComposerProps) {
  const [text, setText] = useState('');
  const [{ fetching }, send] = useMutationAction(SendText);
  const submit = async () => {
    const body = text.trim();
    if (!body) return;
    const data = await send({ input: { conversationId, content: { text: { body } } } });
    if (data) {
      setText('');
      onSent?.(data.sendMessage.id);
    }
  };
  return (
    <Group align="flex-end" gap="xs" wrap="nowrap">
      <Textarea
        aria-label="Reply"
        placeholder={windowOpen ? 'Write a reply' : 'The 24-hour window is closed: send a template'}
        disabled={!windowOpen}
        autosize
        minRows={1}
        maxRows={6}
        style={{ flex: 1 }}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <Button onClick={() => void submit()} loading={fetching} disabled={!windowOpen || !text.trim()}>
        Send
      </Button>
    </Group>
  );
}
