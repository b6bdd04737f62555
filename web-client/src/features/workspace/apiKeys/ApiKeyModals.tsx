// Creating an API key, and the one time its secret is shown.

import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { Role, WorkspaceApiKeyCreateMutation } from '../../../gql/graphql';
import { useMutationAction } from '../../../lib/useMutationAction';
import { CopyField } from '../common';
import { TENANT_ROLES } from '../users/roles';
import { ApiKeysCreateMutation } from './documents';

export type CreatedKey = WorkspaceApiKeyCreateMutation['createApiKey'];
const close = { 'aria-label': 'Close' };

export function CreateApiKeyModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (key: CreatedKey) => void }) {
  const form = useForm({
    initialValues: { name: '', role: 'ADMIN' as Role },
    validate: { name: (v) => (v.trim() ? null : 'Name it after the program that uses it') },
  });
  const [state, create] = useMutationAction(ApiKeysCreateMutation);
  const submit = form.onSubmit(async (v) => {
    const data = await create({ name: v.name.trim(), role: v.role });
    if (data) {
      form.reset();
      onCreated(data.createApiKey);
    }
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Create an API key" closeButtonProps={close}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Name" placeholder="crm-connector" required {...form.getInputProps('name')} />
          <Select
            label="Role"
            description="The key can never do more than this role, nor more than your own. An agent key sees no conversations."
            allowDeselect={false}
            data={TENANT_ROLES.map((r) => ({ value: r.value, label: r.label }))}
            {...form.getInputProps('role')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={state.fetching}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The secret, shown once: it is stored hashed and cannot be read again. */
export function ApiKeySecretModal({ created, onClose }: { created: CreatedKey | null; onClose: () => void }) {
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title={`API key ${created?.apiKey.name ?? ''} created`}
      closeOnClickOutside={false}
      closeButtonProps={close}
      size="lg"
    >
      {created && (
        <Stack>
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Copy it now: it is shown only once">
            Switchboard keeps only a hash of the key. Store it in your program&apos;s secret store; if it is lost, create a new key and revoke
            this one.
          </Alert>
          <CopyField label="Secret" value={created.secret} />
          <Text size="sm" c="dimmed">
            Send it as <code>Authorization: Bearer &lt;secret&gt;</code>.
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have stored it</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
