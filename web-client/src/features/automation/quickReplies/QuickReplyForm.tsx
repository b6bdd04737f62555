import { Alert, Badge, Button, Checkbox, FileInput, Group, Menu, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconBraces, IconInfoCircle, IconPaperclip } from '@tabler/icons-react';
import { useState } from 'react';
import type { MediaKind } from '../../../gql/graphql';
import { useSession } from '../../../lib/session';
import { useFormMutation } from '../shared/useFormMutation';
import { CreateQuickReply, UpdateQuickReply } from './documents';
import { mediaKindFor, uploadMedia } from './media';
import { BUILT_IN_VARIABLES, unknownVariables } from './variables';
import { FormActions } from '../shared/FormActions';

export type QuickReplyRow = { id: string; queueId: string | null; shortcut: string; text: string; media: { type: MediaKind; mediaId: string } | null };
type Values = { scope: string; shortcut: string; text: string };

const TENANT_SCOPE = 'tenant';

export function QuickReplyForm({
  reply,
  queues,
  attributeKeys,
  onDone,
}: {
  reply: QuickReplyRow | null;
  queues: { id: string; name: string }[];
  attributeKeys: string[];
  onDone: () => void;
}) {
  const { accessToken } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [dropMedia, setDropMedia] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [uploading, setUploading] = useState(false);
  const create = useFormMutation(CreateQuickReply, 'Quick reply created');
  const update = useFormMutation(UpdateQuickReply, 'Quick reply saved');
  const form = useForm<Values>({
    initialValues: { scope: reply?.queueId ?? TENANT_SCOPE, shortcut: reply?.shortcut ?? '', text: reply?.text ?? '' },
    validate: {
      shortcut: (v) => (/^[A-Za-z0-9_-]{1,32}$/.test(v) ? null : '1 to 32 letters, digits, - or _'),
      text: (v) => (v.trim() ? null : 'Write the reply'),
    },
  });
  const unknown = unknownVariables(form.values.text, attributeKeys);
  const variables = [...BUILT_IN_VARIABLES, ...attributeKeys.map((k) => `contact.${k}`)];

  const insert = (name: string) => form.setFieldValue('text', `${form.values.text}{{${name}}}`);
  // A new file is uploaded first; its id goes with the reply. Left out, the media stays.
  const mediaInput = async () => {
    if (file) {
      const uploaded = await uploadMedia(file, accessToken);
      return { media: { type: mediaKindFor(uploaded.contentType), mediaId: uploaded.id } };
    }
    return reply && dropMedia ? { media: null } : {};
  };

  const submit = async (v: Values) => {
    setUploadError(null);
    let media;
    try {
      setUploading(true);
      media = await mediaInput();
    } catch (e) {
      setUploadError(e);
      return;
    } finally {
      setUploading(false);
    }
    const ok = reply
      ? await update.run({ id: reply.id, input: { shortcut: v.shortcut, text: v.text, ...media } })
      : await create.run({ input: { shortcut: v.shortcut, text: v.text, queueId: v.scope === TENANT_SCOPE ? null : v.scope, ...media } });
    if (ok) onDone();
  };
  const error = uploadError ?? create.error ?? update.error;

  return (
    <form onSubmit={form.onSubmit((v) => void submit(v))}>
      <Stack>
        <Select
          label="Available in"
          description={reply ? 'A reply stays in its queue' : 'The whole team, or one queue only'}
          data={[{ value: TENANT_SCOPE, label: 'Every queue (the whole team)' }, ...queues.map((q) => ({ value: q.id, label: q.name }))]}
          allowDeselect={false}
          disabled={!!reply}
          {...form.getInputProps('scope')}
        />
        <TextInput label="Shortcut" withAsterisk data-autofocus leftSection={<Text size="sm">/</Text>} placeholder="greeting" {...form.getInputProps('shortcut')} />
        <Textarea label="Text" withAsterisk autosize minRows={4} placeholder="Hi {{contact.name}}, thanks for writing!" {...form.getInputProps('text')} />
        <Group justify="space-between">
          <Menu position="bottom-start" shadow="md">
            <Menu.Target>
              <Button variant="light" size="xs" leftSection={<IconBraces size={14} />}>
                Insert variable
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {variables.map((v) => (
                <Menu.Item key={v} onClick={() => insert(v)}>
                  {`{{${v}}}`}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          <Text size="xs" c="dimmed">
            Markdown is sent as written
          </Text>
        </Group>
        <FileInput
          label="Attachment"
          description="Optional: an image, a WebP sticker or any document; sent with the text as its caption"
          placeholder={reply?.media ? 'Replace the attachment' : 'Pick a file'}
          leftSection={<IconPaperclip size={16} />}
          value={file}
          onChange={setFile}
          clearable
        />
        {reply?.media && !file && (
          <Group gap="xs">
            <Badge variant="light" color="gray" leftSection={<IconPaperclip size={10} />}>
              {reply.media.type.toLowerCase()} attached
            </Badge>
            <Checkbox label="Remove it" checked={dropMedia} onChange={(e) => setDropMedia(e.currentTarget.checked)} />
          </Group>
        )}
        {unknown.length > 0 && (
          <Alert color="yellow" variant="light" icon={<IconInfoCircle size={16} />}>
            Unknown variable{unknown.length > 1 ? 's' : ''}: {unknown.map((u) => `{{${u}}}`).join(', ')}. The API refuses names that are not built in or a contact attribute.
          </Alert>
        )}
        <FormActions error={error} errorTitle="Quick reply not saved" onCancel={onDone} submitLabel={reply ? 'Save reply' : 'Create reply'} loading={uploading || create.fetching || update.fetching} />
      </Stack>
    </form>
  );
}
