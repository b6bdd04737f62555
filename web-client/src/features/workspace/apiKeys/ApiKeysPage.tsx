// The tenant's API keys, revoked ones included: create (secret shown once), revoke.

import { ActionIcon, Badge, Button, Table, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import type { WorkspaceApiKeysQuery } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { ROLE_COLOR, roleLabel } from '../users/roles';
import { ApiKeySecretModal, CreateApiKeyModal, type CreatedKey } from './ApiKeyModals';
import { ApiKeysListQuery, ApiKeysRevokeMutation } from './documents';

type Key = WorkspaceApiKeysQuery['apiKeys'][number];

export function ApiKeysPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ApiKeysListQuery });
  const [creating, createModal] = useDisclosure(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const [revokeState, revoke] = useMutationAction(ApiKeysRevokeMutation, 'Key revoked');
  const keys = data?.apiKeys ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const createButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
      Create API key
    </Button>
  );

  return (
    <>
      <PageHeader title="API keys" description="Keys let your own programs (a CRM connector, a bot) call the API." actions={createButton} />
      <QueryState
        fetching={fetching}
        error={error}
        hasData={!!data}
        empty={keys.length === 0}
        emptyTitle="No API keys yet"
        emptyHint="Create a key for each program that calls the API, so you can revoke one without touching the others."
        emptyAction={createButton}
      >
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((k) => (
                <Table.Tr key={k.id} data-testid={`key-${k.name}`}>
                  <Table.Td fw={600}>{k.name}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      <IconKey size={12} aria-hidden /> {k.prefix}…
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={ROLE_COLOR[k.role]}>
                      {roleLabel(k.role)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatDateTime(k.createdAt)}</Table.Td>
                  <Table.Td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}</Table.Td>
                  <Table.Td>
                    {k.active ? (
                      <Badge variant="dot" color="teal">
                        Active
                      </Badge>
                    ) : (
                      <Badge variant="dot" color="gray" title={k.revokedAt ? `Revoked ${formatDateTime(k.revokedAt)}` : undefined}>
                        Revoked
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {k.active && (
                      <Tooltip label="Revoke">
                        <ActionIcon variant="subtle" color="red" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
      <CreateApiKeyModal
        opened={creating}
        onClose={createModal.close}
        onCreated={(key) => {
          createModal.close();
          setCreated(key);
          reload();
        }}
      />
      <ApiKeySecretModal created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke key"
        loading={revokeState.fetching}
        onConfirm={async () => {
          if (!revoking) return true;
          const done = await revoke({ id: revoking.id });
          if (done) reload();
          return !!done;
        }}
      >
        Programs using it get UNAUTHENTICATED from their next request, and its open subscriptions close. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
