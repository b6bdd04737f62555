// The tenant's members: role, whether they can sign in, last sign-in; add, edit, deactivate.

import { ActionIcon, Badge, Button, Group, Table, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPencil, IconUserOff, IconUserPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { LoadMore } from '../../../components/LoadMore';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { WorkspaceUsersQuery } from '../../../gql/graphql';
import { useSession } from '../../../lib/session';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { UsersDeactivateMutation, UsersListQuery } from './documents';
import { ROLE_COLOR, roleLabel } from './roles';
import { CreateUserModal, EditUserModal } from './UserModals';

type User = WorkspaceUsersQuery['users']['nodes'][number];
const PAGE = 50;

export function UsersPage() {
  const session = useSession();
  const [pages, setPages] = useState(1);
  const [{ data, fetching, error }, refetch] = useQuery({ query: UsersListQuery, variables: { first: PAGE * pages } });
  const [adding, addModal] = useDisclosure(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [deactivateState, deactivate] = useMutationAction(UsersDeactivateMutation, 'Member deactivated');
  const users = data?.users.nodes ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <>
      <PageHeader
        title="Users"
        description="Who signs in to this workspace, and what each may do."
        actions={
          <Button leftSection={<IconUserPlus size={16} />} onClick={addModal.open}>
            Add member
          </Button>
        }
      />
      <QueryState fetching={fetching} error={error} hasData={!!data} empty={users.length === 0} emptyTitle="No members" emptyHint="Add a member to share the inbox.">
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Member</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last sign-in</Table.Th>
                <Table.Th>Added</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((u) => {
                const self = u.id === session.user.id;
                return (
                  <Table.Tr key={u.id} data-testid={`user-${u.email}`}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {u.name ?? u.email}
                        {self && (
                          <Text span c="dimmed" size="xs">
                            {' '}
                            (you)
                          </Text>
                        )}
                      </Text>
                      {u.name && (
                        <Text size="xs" c="dimmed">
                          {u.email}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={ROLE_COLOR[u.role]}>
                        {roleLabel(u.role)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="dot" color={u.active ? 'teal' : 'gray'}>
                        {u.active ? 'Active' : 'Deactivated'}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : 'Never'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(u.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Tooltip label="Edit name or role">
                          <ActionIcon variant="subtle" aria-label={`Edit ${u.email}`} disabled={!u.active} onClick={() => setEditing(u)}>
                            <IconPencil size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={self ? 'You cannot deactivate yourself' : 'Deactivate'}>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Deactivate ${u.email}`}
                            disabled={!u.active || self}
                            onClick={() => setDeactivating(u)}
                          >
                            <IconUserOff size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore hasMore={data?.users.pageInfo.hasNextPage} loading={fetching} onMore={() => setPages((p) => p + 1)} />
      </QueryState>
      <CreateUserModal
        opened={adding}
        onClose={addModal.close}
        onSaved={() => {
          addModal.close();
          reload();
        }}
      />
      {editing && (
        <EditUserModal
          user={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      <ConfirmDialog
        opened={deactivating !== null}
        onClose={() => setDeactivating(null)}
        title={`Deactivate ${deactivating?.email ?? ''}?`}
        confirmLabel="Deactivate"
        loading={deactivateState.fetching}
        onConfirm={async () => {
          if (!deactivating) return true;
          const done = await deactivate({ id: deactivating.id });
          if (done) reload();
          return !!done;
        }}
      >
        They are signed out everywhere and can no longer sign in to this workspace. Their conversations and notes stay.
      </ConfirmDialog>
    </>
  );
}
