// Platform admin: every tenant (organisation), and creating one with its owner.

import { Button, CopyButton, Group, Modal, PasswordInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { graphql } from '../../../gql';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';

const TenantsQuery = graphql(`
  query PlatformTenants($first: Int, $after: String) {
    tenants(first: $first, after: $after) {
      nodes {
        id
        name
        createdAt
        settings {
          timeZone
          defaultLanguage
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CreateTenant = graphql(`
  mutation PlatformTenantCreate($input: CreateTenantInput!) {
    createTenant(input: $input) {
      id
      name
    }
  }
`);

const PAGE = 50;

export function TenantsPage() {
  const [pages, setPages] = useState(1);
  const [{ data, fetching, error }, refetch] = useQuery({ query: TenantsQuery, variables: { first: PAGE * pages } });
  const [creating, createModal] = useDisclosure(false);
  const tenants = data?.tenants.nodes ?? [];
  const createButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
      Create tenant
    </Button>
  );
  return (
    <>
      <PageHeader title="Tenants" description="Every organisation on this deployment. Each has its own channels, members and data." actions={createButton} />
      <QueryState
        fetching={fetching}
        error={error}
        hasData={!!data}
        empty={tenants.length === 0}
        emptyTitle="No tenants yet"
        emptyHint="Create a tenant with its owner; the owner then signs in and connects channels."
        emptyAction={createButton}
      >
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>ID</Table.Th>
                <Table.Th>Time zone</Table.Th>
                <Table.Th>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tenants.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td fw={600}>{t.name}</Table.Td>
                  <Table.Td>
                    <CopyButton value={t.id}>
                      {({ copied, copy }) => (
                        <Button variant="subtle" size="compact-xs" ff="monospace" onClick={copy} aria-label={`Copy the id of ${t.name}`}>
                          {copied ? 'Copied' : t.id}
                        </Button>
                      )}
                    </CopyButton>
                  </Table.Td>
                  <Table.Td>{t.settings.timeZone}</Table.Td>
                  <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore hasMore={data?.tenants.pageInfo.hasNextPage} loading={fetching} onMore={() => setPages((p) => p + 1)} />
      </QueryState>
      <CreateTenantModal
        opened={creating}
        onClose={createModal.close}
        onSaved={() => {
          createModal.close();
          refetch({ requestPolicy: 'network-only' });
        }}
      />
    </>
  );
}

function CreateTenantModal({ opened, onClose, onSaved }: { opened: boolean; onClose: () => void; onSaved: () => void }) {
  const form = useForm({
    initialValues: { name: '', ownerName: '', ownerEmail: '', ownerPassword: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'The organisation needs a name'),
      ownerEmail: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'An e-mail address'),
      ownerPassword: (v) => (v.length >= 10 ? null : 'At least 10 characters'),
    },
  });
  const [state, create] = useMutationAction(CreateTenant, (d) => `Tenant ${d.createTenant.name} created`);
  const submit = form.onSubmit(async (v) => {
    const done = await create({
      input: { name: v.name.trim(), ownerName: v.ownerName.trim() || null, ownerEmail: v.ownerEmail.trim(), ownerPassword: v.ownerPassword },
    });
    if (done) {
      form.reset();
      onSaved();
    }
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Create a tenant" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Organisation name" required {...form.getInputProps('name')} />
          <Text size="sm" fw={600}>
            Its owner
          </Text>
          <Group grow align="flex-start">
            <TextInput label="Owner name" {...form.getInputProps('ownerName')} />
            <TextInput label="Owner e-mail" type="email" required {...form.getInputProps('ownerEmail')} />
          </Group>
          <PasswordInput
            label="Owner password"
            description="10 or more characters, not a common one; share it privately"
            required
            autoComplete="new-password"
            {...form.getInputProps('ownerPassword')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={state.fetching}>
              Create tenant
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
