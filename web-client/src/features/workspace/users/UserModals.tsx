// Adding a member (with their first password and role) and changing a member's name or role.

import { Button, Group, Modal, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Role, WorkspaceUsersQuery } from '../../../gql/graphql';
import { useMutationAction } from '../../../lib/useMutationAction';
import { UsersCreateMutation, UsersUpdateMutation } from './documents';
import { TENANT_ROLES } from './roles';

type User = WorkspaceUsersQuery['users']['nodes'][number];
const roleData = TENANT_ROLES.map((r) => ({ value: r.value, label: `${r.label}: ${r.description}` }));
const close = { 'aria-label': 'Close' };

export function CreateUserModal({ opened, onClose, onSaved }: { opened: boolean; onClose: () => void; onSaved: () => void }) {
  const form = useForm({
    initialValues: { email: '', name: '', role: 'AGENT' as Role, password: '' },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'An e-mail address'),
      password: (v) => (v.length >= 10 ? null : 'At least 10 characters'),
    },
  });
  const [state, create] = useMutationAction(UsersCreateMutation, (d) => `${d.createUser.email} added`);
  const submit = form.onSubmit(async (v) => {
    const done = await create({ input: { email: v.email.trim(), name: v.name.trim() || null, role: v.role, password: v.password } });
    if (done) {
      form.reset();
      onSaved();
    }
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Add a member" closeButtonProps={close}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="E-mail" type="email" required {...form.getInputProps('email')} />
          <TextInput label="Name" placeholder="Shown to customers and teammates" {...form.getInputProps('name')} />
          <Select label="Role" required allowDeselect={false} data={roleData} {...form.getInputProps('role')} />
          <PasswordInput
            label="First password"
            description="10 or more characters, not a common one. Share it privately; they can change it after signing in."
            required
            autoComplete="new-password"
            {...form.getInputProps('password')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={state.fetching}>
              Add member
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function EditUserModal({ user, onClose, onSaved }: { user: User; onClose: () => void; onSaved: () => void }) {
  const form = useForm({ initialValues: { name: user.name ?? '', role: user.role } });
  const [state, update] = useMutationAction(UsersUpdateMutation, (d) => `${d.updateUser.name ?? user.email} saved`);
  const submit = form.onSubmit(async (v) => {
    const input: { name?: string; role?: Role } = {};
    if (v.name !== (user.name ?? '')) input.name = v.name.trim();
    if (v.role !== user.role) input.role = v.role;
    const done = await update({ id: user.id, input });
    if (done) onSaved();
  });
  return (
    <Modal opened onClose={onClose} title={`Edit ${user.email}`} closeButtonProps={close}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Name" description="Leave empty to clear it" {...form.getInputProps('name')} />
          <Select label="Role" allowDeselect={false} data={roleData} {...form.getInputProps('role')} />
          {form.values.role !== user.role && (
            <Text size="sm" c="dimmed">
              Their open connections close and they continue with the new role.
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={state.fetching} disabled={!form.isDirty()}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
