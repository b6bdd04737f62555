// Stored click-to-chat links: where each is published, its tag, how many conversations it
// opened; create one per place, delete one (its conversations keep their referral).

import { ActionIcon, Button, Card, CopyButton, Group, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconCopy, IconQrcode, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { UseQueryState } from 'urql';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { QueryState } from '../../../components/QueryState';
import type { ChannelsStoredLinksQuery as LinksData } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { ChannelsCreateLinkMutation, ChannelsDeleteLinkMutation } from './documents';

type Link = LinksData['clickToChatLinks'][number];

export function StoredLinks({
  channelId,
  state,
  onChanged,
  onShow,
}: {
  channelId: string;
  state: UseQueryState<LinksData>;
  onChanged: () => void;
  onShow: (tag: string) => void;
}) {
  const form = useForm({
    initialValues: { source: '', tag: '', text: '' },
    validate: {
      source: (v) => (v.trim() ? null : 'Where the link is published'),
      tag: (v) => (v === '' || /^[a-z0-9-]{3,32}$/.test(v) ? null : '3 to 32 lowercase letters, digits and -'),
    },
  });
  const [createState, create] = useMutationAction(ChannelsCreateLinkMutation, (d) => `Link ${d.createClickToChatLink.tag} stored`);
  const [deleteState, remove] = useMutationAction(ChannelsDeleteLinkMutation, 'Link deleted');
  const [toDelete, setToDelete] = useState<Link | null>(null);
  const links = state.data?.clickToChatLinks ?? [];

  const submit = form.onSubmit(async (v) => {
    const done = await create({
      input: { channelId, source: v.source.trim(), tag: v.tag.trim() || null, text: v.text.trim() || null },
    });
    if (done) {
      form.reset();
      onChanged();
    }
  });

  return (
    <Stack>
      <Card withBorder padding="md">
        <form onSubmit={submit}>
          <Group align="flex-end" wrap="wrap">
            <TextInput label="Source" placeholder="Spring flyer" required style={{ flex: 2, minWidth: 160 }} {...form.getInputProps('source')} />
            <TextInput label="Tag (optional)" placeholder="made from the source" style={{ flex: 1, minWidth: 140 }} {...form.getInputProps('tag')} />
            <TextInput label="Text (optional)" placeholder="Hi! I saw your flyer" style={{ flex: 2, minWidth: 160 }} {...form.getInputProps('text')} />
            <Button type="submit" loading={createState.fetching}>
              Store link
            </Button>
          </Group>
        </form>
      </Card>
      <QueryState
        fetching={state.fetching}
        error={state.error}
        hasData={!!state.data}
        empty={links.length === 0}
        emptyTitle="No stored links"
        emptyHint="Store one link per place you publish it (a flyer, a web page) to count the conversations each opens."
      >
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Source</Table.Th>
                <Table.Th>Tag</Table.Th>
                <Table.Th>Text</Table.Th>
                <Table.Th>Conversations opened</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {links.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>{l.source}</Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {l.tag}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1}>
                      {l.text ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>{l.conversationsOpened}</Table.Td>
                  <Table.Td>{formatDateTime(l.createdAt)}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      <Tooltip label="Show its QR code">
                        <ActionIcon variant="subtle" aria-label={`Show the QR code of ${l.tag}`} onClick={() => onShow(l.tag)}>
                          <IconQrcode size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <CopyButton value={l.link.url}>
                        {({ copied, copy }) => (
                          <Tooltip label={copied ? 'Copied' : 'Copy link'}>
                            <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} aria-label={`Copy the link ${l.tag}`} onClick={copy}>
                              <IconCopy size={16} />
                            </ActionIcon>
                          </Tooltip>
                        )}
                      </CopyButton>
                      <Tooltip label="Delete">
                        <ActionIcon variant="subtle" color="red" aria-label={`Delete the link ${l.tag}`} onClick={() => setToDelete(l)}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
      <ConfirmDialog
        opened={toDelete !== null}
        onClose={() => setToDelete(null)}
        title={`Delete the link ${toDelete?.tag ?? ''}?`}
        confirmLabel="Delete link"
        loading={deleteState.fetching}
        onConfirm={async () => {
          if (!toDelete) return true;
          const done = await remove({ id: toDelete.id });
          if (done) onChanged();
          return !!done;
        }}
      >
        Printed codes stop counting. Conversations it already opened keep their referral.
      </ConfirmDialog>
    </Stack>
  );
}
