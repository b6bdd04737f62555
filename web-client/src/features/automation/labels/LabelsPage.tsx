import { ActionIcon, Badge, Button, ColorInput, Group, Modal, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { graphql } from '../../../gql';
import { formatDateTime } from '../../../lib/time';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useDeleteConfirm } from '../shared/useDeleteConfirm';
import { useFormMutation } from '../shared/useFormMutation';
import { FormActions } from '../shared/FormActions';

const LabelsQuery = graphql(`
  query AutomationLabels {
    labels {
      id
      name
      color
      description
      updatedAt
    }
  }
`);

const CreateLabel = graphql(`
  mutation AutomationCreateLabel($input: CreateLabelInput!) {
    createLabel(input: $input) {
      id
    }
  }
`);

const UpdateLabel = graphql(`
  mutation AutomationUpdateLabel($id: ID!, $input: UpdateLabelInput!) {
    updateLabel(id: $id, input: $input) {
      id
      name
      color
      description
      updatedAt
    }
  }
`);

const DeleteLabel = graphql(`
  mutation AutomationDeleteLabel($id: ID!) {
    deleteLabel(id: $id)
  }
`);

export const LABEL_SWATCHES = ['#e03131', '#f08c00', '#2f9e44', '#1971c2', '#6741d9', '#c2255c', '#0c8599', '#868e96'];

type Label = { id: string; name: string; color: string; description: string | null };
type Values = { name: string; color: string; description: string };

function LabelForm({ label, onDone }: { label: Label | null; onDone: () => void }) {
  const create = useFormMutation(CreateLabel, 'Label created');
  const update = useFormMutation(UpdateLabel, 'Label saved');
  const form = useForm<Values>({
    initialValues: { name: label?.name ?? '', color: label?.color ?? LABEL_SWATCHES[3], description: label?.description ?? '' },
    validate: {
      name: (v) => (v.trim().length >= 1 && v.trim().length <= 50 ? null : '1 to 50 characters'),
      color: (v) => (/^#[0-9a-fA-F]{6}$/.test(v) ? null : 'A colour as #rrggbb'),
    },
  });
  const submit = async (v: Values) => {
    const input = { name: v.name.trim(), color: v.color, description: v.description.trim() || null };
    const ok = label ? await update.run({ id: label.id, input }) : await create.run({ input });
    if (ok) onDone();
  };
  const error = create.error ?? update.error;
  return (
    <form onSubmit={form.onSubmit((v) => void submit(v))}>
      <Stack>
        <TextInput label="Name" withAsterisk data-autofocus placeholder="VIP" {...form.getInputProps('name')} />
        <ColorInput label="Colour" format="hex" swatches={LABEL_SWATCHES} swatchesPerRow={8} withEyeDropper={false} {...form.getInputProps('color')} />
        <TextInput label="Description" placeholder="When to use it" {...form.getInputProps('description')} />
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            Preview:
          </Text>
          <Badge color={form.values.color} variant="filled" tt="none">
            {form.values.name || 'label'}
          </Badge>
        </Group>
        <FormActions error={error} errorTitle="Label not saved" onCancel={onDone} submitLabel={label ? 'Save label' : 'Create label'} loading={create.fetching || update.fetching} />
      </Stack>
    </form>
  );
}

export function LabelsPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: LabelsQuery });
  const [editing, setEditing] = useState<Label | 'new' | null>(null);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const { deleting, setDeleting, dialog: deleteDialog } = useDeleteConfirm<Label>(DeleteLabel, 'Label deleted', refresh);
  const labels = data?.labels ?? [];

  return (
    <>
      <PageHeader
        title="Labels"
        description="Tags agents put on conversations; the inbox filters by them."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            New label
          </Button>
        }
      />
      <QueryState fetching={fetching} error={error} hasData={!!data} empty={labels.length === 0} emptyTitle="No labels yet" emptyHint="Create labels such as VIP, Billing or Bug so agents can tag conversations.">
        <Paper withBorder radius="md">
          <Table verticalSpacing="sm" highlightOnHover aria-label="Labels">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Label</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th visibleFrom="sm">Changed</Table.Th>
                <Table.Th w={90}>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {labels.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>
                    <Badge color={l.color} variant="filled" tt="none">
                      {l.name}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={l.description ? undefined : 'dimmed'}>
                      {l.description || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Text size="sm" c="dimmed">
                      {formatDateTime(l.updatedAt)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <ActionIcon variant="subtle" aria-label={`Edit ${l.name}`} onClick={() => setEditing(l)}>
                        <IconPencil size={16} />
                      </ActionIcon>
                      <ActionIcon variant="subtle" color="red" aria-label={`Delete ${l.name}`} onClick={() => setDeleting(l)}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      </QueryState>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New label' : 'Edit label'}>
        {editing !== null && (
          <LabelForm
            label={editing === 'new' ? null : editing}
            onDone={() => {
              setEditing(null);
              refresh();
            }}
          />
        )}
      </Modal>
      <ConfirmDialog {...deleteDialog} title={`Delete ${deleting?.name ?? ''}?`}>
        It is taken off every conversation that has it.
      </ConfirmDialog>
    </>
  );
}
