// The reply box of a conversation. The inbox renders it under the timeline; this file's
// props are the contract between the two.
//
// A reply goes to the customer (`sendMessage`); a note stays with the team
// (`addConversationNote`). When the 24-hour window is closed only a template may be sent.

import { Alert, Badge, Box, Button, Group, Modal, Paper, SegmentedControl, Text, Textarea, Tooltip } from '@mantine/core';
import { IconClockOff, IconLock, IconMessage, IconNote, IconSend, IconTemplate } from '@tabler/icons-react';
import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type ReactNode } from 'react';
import { useClient } from 'urql';
import { ErrorAlert } from '../../components/ErrorAlert';
import { graphql } from '../../gql';
import { describeError } from '../../lib/errors';
import { notifyError, notifySuccess } from '../../lib/notify';
import { useMutationAction } from '../../lib/useMutationAction';
import { AttachmentBar } from './AttachmentBar';
import { ComposerActions } from './ComposerActions';
import { FormatToolbar } from './FormatToolbar';
import { LengthHint, useLengthLimit } from './LengthHint';
import { insertAt, toggleBlock, toggleInline, type Edit } from './format';
import { QuickReplyMenu, type QuickReplyItem } from './QuickReplyMenu';
import { replaceTrigger, slashTrigger } from './slash';
import { TemplatePicker } from './TemplatePicker';
import { useAttachment } from './useAttachment';
import { WindowCountdown } from './WindowCountdown';
import { WhatsAppText } from './WhatsAppText';

export type ComposerProps = {
  conversationId: string;
  channelId: string;
  /** The customer's number (E.164), where a reply goes. */
  contactPhone: string;
  /** Whether the 24-hour window is open: when closed, only templates may be sent. */
  windowOpen: boolean;
  /** When the window closes (the conversation's `windowExpiresAt`): shown as a countdown. */
  windowExpiresAt?: string | null;
  /** Called with the new message's id after a send (or the note's id after a note). */
  onSent?: (id: string) => void;
};

type Mode = 'reply' | 'note';

const SendMessage = graphql(`
  mutation ComposerSendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      status
      text
    }
  }
`);

const AddNote = graphql(`
  mutation ComposerAddNote($conversationId: ID!, $text: String!) {
    addConversationNote(conversationId: $conversationId, text: $text) {
      id
      text
      createdAt
    }
  }
`);

const RenderQuickReply = graphql(`
  query ComposerRenderQuickReply($id: ID!, $conversationId: ID!) {
    renderQuickReply(id: $id, conversationId: $conversationId) {
      text
      missing
      media {
        type
        mediaId
      }
    }
  }
`);

export function Composer({ conversationId, channelId, contactPhone, windowOpen, windowExpiresAt, onSent }: ComposerProps) {
  const client = useClient();
  const [mode, setMode] = useState<Mode>('reply');
  // An unsent reply survives leaving the conversation, for this browser tab.
  const draftKey = `switchboard.draft.${conversationId}`;
  const [text, setText] = useState(() => sessionStorage.getItem(draftKey) ?? '');
  const [draftOf, setDraftOf] = useState(conversationId);
  if (draftOf !== conversationId) {
    // Another conversation in the same composer: its own draft.
    setDraftOf(conversationId);
    setText(sessionStorage.getItem(draftKey) ?? '');
  }
  const [caret, setCaret] = useState(0);
  const [preview, setPreview] = useState(false);
  const [picking, setPicking] = useState(false);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const { attachment, upload, attachUploaded, clear } = useAttachment();
  const [sendState, send] = useMutationAction(SendMessage);
  const [noteState, addNote] = useMutationAction(AddNote, 'Note added: only your team sees it');

  useEffect(() => {
    if (text) sessionStorage.setItem(draftKey, text);
    else sessionStorage.removeItem(draftKey);
  }, [draftKey, text]);
  // An attachment belongs to the conversation it was picked in.
  useEffect(() => clear, [conversationId, clear]);

  const note = mode === 'note';
  const closed = !note && !windowOpen;
  const trigger = !note ? slashTrigger(text, caret) : null;
  const busy = sendState.fetching || noteState.fetching;
  const uploading = attachment?.state === 'uploading';
  const withFile = !note && attachment?.state === 'ready';
  const limit = useLengthLimit(channelId, !!attachment);
  const tooLongCaption = withFile && limit !== null && text.trim().length > limit;
  const canSend = !busy && !uploading && !tooLongCaption && (withFile || text.trim().length > 0);

  /** Applies an edit and puts the selection where it says, once React has rendered it. */
  const apply = (edit: Edit) => {
    setText(edit.text);
    setCaret(edit.end);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(edit.start, edit.end);
    });
  };
  const selection = () => [ref.current?.selectionStart ?? text.length, ref.current?.selectionEnd ?? text.length] as const;

  const pickQuickReply = async (reply: QuickReplyItem) => {
    if (!trigger) return;
    const result = await client.query(RenderQuickReply, { id: reply.id, conversationId }, { requestPolicy: 'network-only' }).toPromise();
    if (result.error || !result.data) {
      notifyError(result.error, 'The quick reply could not be inserted');
      return;
    }
    const rendered = result.data.renderQuickReply;
    const next = replaceTrigger(text, caret, trigger, rendered.text);
    apply({ text: next.text, start: next.caret, end: next.caret });
    if (rendered.media) attachUploaded(`/${reply.shortcut} attachment`, rendered.media.type, rendered.media.mediaId);
    if (rendered.missing.length) {
      notifySuccess(`No value for ${rendered.missing.join(', ')}: that part was left empty.`);
    }
  };

  const submit = async () => {
    if (!canSend) return;
    const body = text.trim();
    if (note) {
      const done = await addNote({ conversationId, text: body });
      if (!done) return;
      setText('');
      onSent?.(done.addConversationNote.id);
      return;
    }
    const content =
      withFile && attachment?.mediaId
        ? {
            media: {
              type: attachment.kind,
              mediaId: attachment.mediaId,
              caption: body || undefined,
              filename: attachment.kind === 'DOCUMENT' ? attachment.name : undefined,
            },
          }
        : { text: { body } };
    const done = await send({ input: { conversationId, content } });
    if (!done) return;
    setText('');
    setCaret(0);
    clear();
    setPreview(false);
    onSent?.(done.sendMessage.id);
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const file = e.clipboardData.files[0];
    if (file && !note) {
      e.preventDefault();
      upload(file);
    }
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    const file = e.dataTransfer.files[0];
    if (file && !note && !closed) {
      e.preventDefault();
      upload(file);
    }
  };

  const error = note ? noteState.error : sendState.error;
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      component="section"
      aria-label="Composer"
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
      style={note ? { background: 'light-dark(var(--mantine-color-yellow-0), var(--mantine-color-dark-6))' } : undefined}
    >
      <Group justify="space-between" mb="xs" wrap="wrap" gap="xs">
        <SegmentedControl
          size="xs"
          aria-label="Write a"
          value={mode}
          onChange={(v) => setMode(v as Mode)}
          data={[
            { value: 'reply', label: <ModeLabel icon={<IconMessage size={14} />} text="Reply" /> },
            { value: 'note', label: <ModeLabel icon={<IconNote size={14} />} text="Note" /> },
          ]}
        />
        <Group gap="xs">
          {!note && !windowOpen && (
            <Badge variant="light" color="yellow" leftSection={<IconClockOff size={12} />} style={{ textTransform: 'none' }}>
              Window closed: templates only
            </Badge>
          )}
          {note && (
            <Badge variant="light" color="yellow" leftSection={<IconLock size={12} />} style={{ textTransform: 'none' }}>
              Only your team sees notes
            </Badge>
          )}
          {!note && windowOpen && <WindowCountdown expiresAt={windowExpiresAt} />}
          {!note && windowOpen && (
            <Button size="xs" variant="subtle" leftSection={<IconTemplate size={14} />} onClick={() => setTemplatesOpen(true)}>
              Templates
            </Button>
          )}
        </Group>
      </Group>

      {closed ? (
        <Box>
          <Alert color="yellow" variant="light" mb="sm" icon={<IconClockOff size={18} />} title="The 24-hour window is closed">
            {contactPhone} has not written in the last 24 hours, so WhatsApp accepts only an approved template. Their next
            message opens the window for free text again.
          </Alert>
          <TemplatePicker conversationId={conversationId} channelId={channelId} onSent={onSent} />
        </Box>
      ) : (
        <>
          <FormatToolbar
            onInline={(style) => apply(toggleInline(text, ...selection(), style))}
            onBlock={(style) => apply(toggleBlock(text, ...selection(), style))}
          />
          <QuickReplyMenu trigger={trigger} onPick={(r) => void pickQuickReply(r)} onOffering={setPicking}>
            <Textarea
              ref={ref}
              aria-label="Reply"
              placeholder={note ? 'Write a note for your team' : 'Write a reply: / for quick replies, Shift+Enter for a new line'}
              autosize
              minRows={2}
              maxRows={10}
              mt={4}
              value={text}
              onChange={(e) => {
                setText(e.currentTarget.value);
                setCaret(e.currentTarget.selectionStart);
              }}
              onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
              onPaste={onPaste}
              onKeyDown={(e) => {
                // With the quick-reply list offering replies, Enter picks from it instead.
                if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && !picking) {
                  e.preventDefault();
                  void submit();
                }
              }}
            />
          </QuickReplyMenu>
          {attachment && !note && (
            <Box mt="xs">
              <AttachmentBar attachment={attachment} onRemove={clear} />
            </Box>
          )}
          {preview && text.trim() && (
            <Paper withBorder radius="md" p="xs" mt="xs" aria-label="Formatting preview" role="region">
              <Text size="xs" c="dimmed" mb={4}>
                How WhatsApp shows it
              </Text>
              <WhatsAppText text={text} />
            </Paper>
          )}
          <Group justify="space-between" mt="xs" wrap="nowrap">
            <ComposerActions
              note={note}
              preview={preview}
              onPreview={setPreview}
              onFile={upload}
              onEmoji={(emoji) => apply(insertAt(text, ...selection(), emoji))}
            />
            <Group gap="sm" wrap="nowrap">
              {!note && <LengthHint length={text.trim().length} limit={limit} caption={!!attachment} />}
              <Tooltip label="Enter sends, Shift+Enter adds a line" openDelay={500}>
                <Button
                  leftSection={note ? <IconNote size={16} /> : <IconSend size={16} />}
                  color={note ? 'yellow' : undefined}
                  onClick={() => void submit()}
                  loading={busy}
                  disabled={!canSend}
                >
                  {note ? 'Add note' : 'Send'}
                </Button>
              </Tooltip>
            </Group>
          </Group>
        </>
      )}
      {error && !closed && (
        <Box mt="xs">
          <ErrorAlert error={error} title={note ? 'The note was not added' : 'The message was not sent'} />
          {!note && describeError(error).code === 'WINDOW_CLOSED' && (
            <Button mt="xs" size="xs" variant="light" leftSection={<IconTemplate size={14} />} onClick={() => setTemplatesOpen(true)}>
              Send a template instead
            </Button>
          )}
        </Box>
      )}
      <Modal opened={templatesOpen} onClose={() => setTemplatesOpen(false)} title="Send a template" size="xl">
        <TemplatePicker
          conversationId={conversationId}
          channelId={channelId}
          onSent={(id) => {
            setTemplatesOpen(false);
            onSent?.(id);
          }}
        />
      </Modal>
    </Paper>
  );
}

function ModeLabel({ icon, text }: { icon: ReactNode; text: string }) {
  return (
    <Group gap={4} wrap="nowrap" justify="center">
      {icon}
      <span>{text}</span>
    </Group>
  );
}
