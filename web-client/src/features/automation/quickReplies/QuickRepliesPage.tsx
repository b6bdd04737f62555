import { ActionIcon, Badge, Button, Code, Group, Modal, Paper, Select, Spoiler, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPaperclip, IconPencil, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useDeleteConfirm } from '../shared/useDeleteConfirm';
import { DeleteQuickReply, QuickRepliesQuery, QuickReplyContextQuery } from './documents';
import { QuickReplyForm, type QuickReplyRow } from './QuickReplyForm';

export function QuickRepliesPage() {
  const [queueId, setQueueId] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: QuickRepliesQuery, variables: { queueId, search: debounced || null } });
  const [context] = useQuery({ query: QuickReplyContextQuery });
  const [editing, setEditing] = useState<QuickReplyRow | 'new' | null>(null);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const { deleting, setDeleting, dialog: deleteDialog } = useDeleteConfirm<QuickReplyRow>(DeleteQuickReply, 'Quick reply deleted', refresh);
  const replies = data?.quickReplies ?? [];
  const queues = context.data?.queues ?? [];
  const queueName = new Map(queues.map((q) => [q.id, q.name]));
  const attributeKeys = (context.data?.contactAttributes ?? []).map((a) => a.key);

  return (
    <>
      <PageHeader
        title="Quick replies"
        description="Saved answers agents insert with / in the composer, for the whole team or one queue."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            New quick reply
          </Button>
        }
      />
      <Group mb="md" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Shortcut or text"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={260}
        />
        <Select
          label="Queue"
          placeholder="The team's own only"
          description={queueId ? 'The team’s own and this queue’s' : undefined}
          data={queues.map((q) => ({ value: q.id, label: q.name }))}
          value={queueId}
          onChange={setQueueId}
          clearable
          w={240}
        />
      </Group>
      <QueryState
        fetching={fetching}
        error={error}
        hasData={!!data}
        empty={replies.length === 0}
        emptyTitle={debounced ? 'No quick reply matches' : 'No quick replies yet'}
        emptyHint={debounced ? 'Try another search.' : 'Create replies for the questions your team answers every day; agents type / and the shortcut.'}
      >
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={600}>
            <Table verticalSpacing="sm" highlightOnHover aria-label="Quick replies">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={160}>Shortcut</Table.Th>
                  <Table.Th>Text</Table.Th>
                  <Table.Th w={160}>Available in</Table.Th>
                  <Table.Th w={90}>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {replies.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Code>/{r.shortcut}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Spoiler maxHeight={44} showLabel="More" hideLabel="Less">
                        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                          {r.text}
                        </Text>
                      </Spoiler>
                      <Group gap={4} mt={4}>
                        {r.variables.map((v) => (
                          <Badge key={v} size="xs" variant="light" color="grape" tt="none">
                            {v}
                          </Badge>
                        ))}
                        {r.media && (
                          <Badge size="xs" variant="light" color="gray" leftSection={<IconPaperclip size={10} />}>
                            {r.media.type.toLowerCase()}
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {r.queueId ? (
                        <Badge variant="light" tt="none">
                          {queueName.get(r.queueId) ?? 'A queue'}
                        </Badge>
                      ) : (
                        <Badge variant="light" color="gray">
                          Whole team
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon variant="subtle" aria-label={`Edit /${r.shortcut}`} onClick={() => setEditing(r)}>
                          <IconPencil size={16} />
                        </ActionIcon>
                        <ActionIcon variant="subtle" color="red" aria-label={`Delete /${r.shortcut}`} onClick={() => setDeleting(r)}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      </QueryState>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New quick reply' : 'Edit quick reply'} size="lg">
        {editing !== null && (
          <QuickReplyForm
            reply={editing === 'new' ? null : editing}
            queues={queues}
            attributeKeys={attributeKeys}
            onDone={() => {
              setEditing(null);
              refresh();
            }}
          />
        )}
      </Modal>
      <ConfirmDialog {...deleteDialog} title={`Delete /${deleting?.shortcut ?? ''}?`}>
        Agents can no longer insert it.
      </ConfirmDialog>
    </>
  );
}
