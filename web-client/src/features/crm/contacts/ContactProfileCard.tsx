import { Button, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useState } from 'react';
import type { CrmContactDetailQuery } from '../../../gql/graphql';
import { useMutationAction } from '../../../lib/useMutationAction';
import { formatDateTime } from '../../../lib/time';
import { changedAttributes, valuesByKey, type AttributeValues } from './attributes';
import { UpdateContact } from './documents';

type Contact = NonNullable<CrmContactDetailQuery['contact']>;
type Attribute = CrmContactDetailQuery['contactAttributes'][number];

/** One attribute's input, by its type; an empty value clears it. */
function AttributeInput({ attribute, value, onChange }: { attribute: Attribute; value: string; onChange: (v: string) => void }) {
  const common = { label: attribute.displayName, description: attribute.key };
  switch (attribute.type) {
    case 'CHOICE':
      return <Select {...common} data={attribute.choices} value={value || null} onChange={(v) => onChange(v ?? '')} clearable placeholder="Not set" />;
    case 'BOOLEAN':
      return (
        <Select
          {...common}
          data={[
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]}
          value={value || null}
          onChange={(v) => onChange(v ?? '')}
          clearable
          placeholder="Not set"
        />
      );
    case 'DATE':
      return <DateInput {...common} value={value || null} onChange={(v) => onChange(v ?? '')} valueFormat="YYYY-MM-DD" clearable placeholder="Not set" />;
    case 'NUMBER':
      return <TextInput {...common} inputMode="decimal" value={value} onChange={(e) => onChange(e.currentTarget.value)} placeholder="Not set" />;
    default:
      return <TextInput {...common} value={value} onChange={(e) => onChange(e.currentTarget.value)} placeholder="Not set" maxLength={1000} />;
  }
}

/** The contact's name, language and typed attributes, saved together (all or none). */
export function ContactProfileCard({ contact, attributes }: { contact: Contact; attributes: Attribute[] }) {
  const initial = valuesByKey(contact.attributes);
  const [name, setName] = useState(contact.name ?? '');
  const [language, setLanguage] = useState(contact.language ?? '');
  const [values, setValues] = useState<AttributeValues>(initial);
  const [state, save] = useMutationAction(UpdateContact, 'Contact saved');

  const changes = changedAttributes(initial, values);
  const nameChanged = name.trim() !== (contact.name ?? '');
  const languageChanged = language.trim() !== (contact.language ?? '');
  const dirty = changes.length > 0 || nameChanged || languageChanged;

  async function submit() {
    const input = {
      attributes: changes,
      ...(nameChanged ? { name: name.trim() || null } : {}),
      ...(languageChanged ? { language: language.trim() || null } : {}),
    };
    const data = await save({ id: contact.id, input });
    if (data) setValues(valuesByKey(data.updateContact.attributes));
  }

  const lastUpdate = contact.attributes.map((a) => a.updatedAt).sort().at(-1);
  return (
    <Paper withBorder p="md" radius="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Group justify="space-between" mb="sm">
          <Title order={4}>Profile and attributes</Title>
          {lastUpdate && (
            <Text size="xs" c="dimmed">
              Attributes changed {formatDateTime(lastUpdate)}
            </Text>
          )}
        </Group>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder={contact.profileName ?? 'Not set'} />
            <TextInput
              label="Language"
              description="A tag such as es, pt-BR"
              value={language}
              onChange={(e) => setLanguage(e.currentTarget.value)}
              placeholder="Not set"
            />
          </SimpleGrid>
          {attributes.length === 0 ? (
            <Text size="sm" c="dimmed">
              No contact attributes are defined yet. Admins define them under Admin → Contact attributes.
            </Text>
          ) : (
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {attributes.map((a) => (
                <AttributeInput key={a.key} attribute={a} value={values[a.key] ?? ''} onChange={(v) => setValues((prev) => ({ ...prev, [a.key]: v }))} />
              ))}
            </SimpleGrid>
          )}
          <Group justify="flex-end">
            <Button
              variant="default"
              disabled={!dirty}
              onClick={() => {
                setName(contact.name ?? '');
                setLanguage(contact.language ?? '');
                setValues(initial);
              }}
            >
              Discard
            </Button>
            <Button type="submit" disabled={!dirty} loading={state.fetching}>
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
