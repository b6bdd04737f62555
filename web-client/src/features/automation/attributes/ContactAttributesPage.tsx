import { ActionIcon, Badge, Button, Code, Group, Modal, Paper, Select, Stack, Table, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { graphql } from '../../../gql';
import type { ContactAttributeType } from '../../../gql/graphql';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useDeleteConfirm } from '../shared/useDeleteConfirm';
import { useFormMutation } from '../shared/useFormMutation';
import { FormActions } from '../shared/FormActions';

const AttributesQuery = graphql(`
  query AutomationContactAttributes {
    contactAttributes {
      id
      key
      displayName
      type
      choices
      updatedAt
    }
  }
`);

const CreateAttribute = graphql(`
  mutation AutomationCreateContactAttribute($input: CreateContactAttributeInput!) {
    createContactAttribute(input: $input) {
      id
    }
  }
`);

const UpdateAttribute = graphql(`
  mutation AutomationUpdateContactAttribute($id: ID!, $input: UpdateContactAttributeInput!) {
    updateContactAttribute(id: $id, input: $input) {
      id
      displayName
      choices
      updatedAt
    }
  }
`);

const DeleteAttribute = graphql(`
  mutation AutomationDeleteContactAttribute($id: ID!) {
    deleteContactAttribute(id: $id)
  }
`);

export const ATTRIBUTE_TYPES: { value: ContactAttributeType; label: string; hint: string }[] = [
  { value: 'TEXT', label: 'Text', hint: 'Any text, up to 1000 characters.' },
  { value: 'NUMBER', label: 'Number', hint: 'A decimal such as 42 or 19.99.' },
  { value: 'DATE', label: 'Date', hint: 'A calendar date, YYYY-MM-DD.' },
  { value: 'BOOLEAN', label: 'Yes / no', hint: 'true or false.' },
  { value: 'CHOICE', label: 'Choice', hint: 'One of a list of values.' },
];

/** A key from a display name: `Customer tier` → `customer_tier`. */
export function keyFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '');
}

type Attribute = { id: string; key: string; displayName: string; type: ContactAttributeType; choices: string[] };
type Values = { displayName: string; key: string; type: ContactAttributeType; choices: string[] };

function AttributeForm({ attribute, onDone }: { attribute: Attribute | null; onDone: () => void }) {
  const create = useFormMutation(CreateAttribute, 'Attribute created');
  const update = useFormMutation(UpdateAttribute, 'Attribute saved');
  const [keyTouched, setKeyTouched] = useState(false);
  const form = useForm<Values>({
    initialValues: {
      displayName: attribute?.displayName ?? '',
      key: attribute?.key ?? '',
      type: attribute?.type ?? 'TEXT',
      choices: attribute?.choices ?? [],
    },
    validate: {
      displayName: (v) => (v.trim() ? null : 'Give it a name'),
      key: (v) => (/^[a-z][a-z0-9_]*$/.test(v) ? null : 'a-z, 0-9 and _, starting with a letter'),
      choices: (v, values) => (values.type === 'CHOICE' && v.length === 0 ? 'Add at least one choice' : null),
    },
  });
  const submit = async (v: Values) => {
    const choices = v.type === 'CHOICE' ? v.choices : [];
    const ok = attribute
      ? await update.run({ id: attribute.id, input: { displayName: v.displayName.trim(), ...(attribute.type === 'CHOICE' ? { choices } : {}) } })
      : await create.run({ input: { key: v.key, displayName: v.displayName.trim(), type: v.type, choices } });
    if (ok) onDone();
  };
  const error = create.error ?? update.error;
  const type = ATTRIBUTE_TYPES.find((t) => t.value === form.values.type);
  return (
    <form onSubmit={form.onSubmit((v) => void submit(v))}>
      <Stack>
        <TextInput
          label="Display name"
          withAsterisk
          data-autofocus
          placeholder="Customer tier"
          {...form.getInputProps('displayName')}
          onChange={(e) => {
            form.setFieldValue('displayName', e.currentTarget.value);
            if (!attribute && !keyTouched) form.setFieldValue('key', keyFromName(e.currentTarget.value));
          }}
        />
        <TextInput
          label="Key"
          description={attribute ? 'Fixed once made' : 'Used in imports and quick replies as {{contact.<key>}}; fixed once made'}
          withAsterisk
          disabled={!!attribute}
          {...form.getInputProps('key')}
          onChange={(e) => {
            setKeyTouched(true);
            form.setFieldValue('key', e.currentTarget.value);
          }}
        />
        <Select label="Type" description={type?.hint} data={ATTRIBUTE_TYPES.map(({ value, label }) => ({ value, label }))} allowDeselect={false} disabled={!!attribute} {...form.getInputProps('type')} />
        {form.values.type === 'CHOICE' && (
          <TagsInput label="Choices" description="Press Enter after each value; in this order" placeholder="gold" {...form.getInputProps('choices')} />
        )}
        <FormActions error={error} errorTitle="Attribute not saved" onCancel={onDone} submitLabel={attribute ? 'Save attribute' : 'Create attribute'} loading={create.fetching || update.fetching} />
      </Stack>
    </form>
  );
}

export function ContactAttributesPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: AttributesQuery });
  const [editing, setEditing] = useState<Attribute | 'new' | null>(null);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const { deleting, setDeleting, dialog: deleteDialog } = useDeleteConfirm<Attribute>(DeleteAttribute, 'Attribute deleted', refresh);
  const attributes = data?.contactAttributes ?? [];

  return (
    <>
      <PageHeader
        title="Contact attributes"
        description="Typed fields kept for each contact: routing rules test them, quick replies insert them."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            New attribute
          </Button>
        }
      />
      <QueryState fetching={fetching} error={error} hasData={!!data} empty={attributes.length === 0} emptyTitle="No contact attributes yet" emptyHint="Define fields such as tier, plan or renewal date to keep on every contact.">
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="sm" highlightOnHover aria-label="Contact attributes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Choices</Table.Th>
                  <Table.Th w={90}>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attributes.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td fw={500}>{a.displayName}</Table.Td>
                    <Table.Td>
                      <Code>{a.key}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{ATTRIBUTE_TYPES.find((t) => t.value === a.type)?.label ?? a.type}</Badge>
                    </Table.Td>
                    <Table.Td>
                      {a.choices.length ? (
                        <Group gap={4}>
                          {a.choices.map((c) => (
                            <Badge key={c} variant="outline" color="gray" size="sm" tt="none">
                              {c}
                            </Badge>
                          ))}
                        </Group>
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon variant="subtle" aria-label={`Edit ${a.displayName}`} onClick={() => setEditing(a)}>
                          <IconPencil size={16} />
                        </ActionIcon>
                        <ActionIcon variant="subtle" color="red" aria-label={`Delete ${a.displayName}`} onClick={() => setDeleting(a)}>
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
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New contact attribute' : 'Edit contact attribute'}>
        {editing !== null && (
          <AttributeForm
            attribute={editing === 'new' ? null : editing}
            onDone={() => {
              setEditing(null);
              refresh();
            }}
          />
        )}
      </Modal>
      <ConfirmDialog {...deleteDialog} title={`Delete ${deleting?.displayName ?? ''}?`}>
        Every contact&apos;s value of it is deleted with it.
      </ConfirmDialog>
    </>
  );
}
