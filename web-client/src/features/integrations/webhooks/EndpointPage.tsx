// One endpoint: its settings at a glance, the actions on it (test ping, edit, rotate the
// secret, enable/disable, replay, delete) and its delivery log.

import { Anchor, Badge, Breadcrumbs, Button, Code, Group, Menu, Paper, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { IconChevronDown, IconEdit, IconHistory, IconKey, IconPlugConnected, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { notifySuccess } from '../../../lib/notify';
import { formatDateTime } from '../../../lib/time';
import { useMutationAction } from '../../../lib/useMutationAction';
import { DeliveryLog } from './DeliveryLog';
import { DeleteEndpoint, EndpointById, Replay, RotateSecret, TestEndpoint, UpdateEndpoint } from './documents';
import { ReplayModal, RotateModal } from './EndpointModals';
import { endpointInput, EndpointStatus } from './EndpointStatus';
import { SecretModal } from './SecretModal';

export function EndpointPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [query, refetch] = useQuery({ query: EndpointById, variables: { id } });
  const [dialog, setDialog] = useState<'rotate' | 'replay' | 'delete' | null>(null);
  const [secret, setSecret] = useState<{ secret: string; previousUntil: string | null } | null>(null);
  const [logKey, setLogKey] = useState(0);
  const [testing, test] = useMutationAction(TestEndpoint);
  const [, update] = useMutationAction(UpdateEndpoint, (d) => `Endpoint ${d.updateWebhookEndpoint.enabled ? 'enabled' : 'disabled'}`);
  const [rotating, rotate] = useMutationAction(RotateSecret);
  const [replaying, replay] = useMutationAction(Replay, (d) => `${d.replayWebhooks} deliveries sent again`);
  const [deleting, remove] = useMutationAction(DeleteEndpoint, 'Endpoint deleted');
  const endpoint = query.data?.webhookEndpoint;
  const reload = () => {
    refetch({ requestPolicy: 'network-only' });
    setLogKey((k) => k + 1);
  };

  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/webhooks" size="sm">
          Outgoing webhooks
        </Anchor>
        <span>Endpoint</span>
      </Breadcrumbs>
      <QueryState fetching={query.fetching} error={query.error} hasData={!!endpoint}>
        {endpoint && (
          <Stack gap="md">
            <PageHeader
              title={endpoint.description || 'Endpoint'}
              description={<Code style={{ wordBreak: 'break-all' }}>{endpoint.url}</Code>}
              actions={
                <>
                  <Button
                    leftSection={<IconPlugConnected size={16} />}
                    loading={testing.fetching}
                    onClick={async () => {
                      const done = await test({ id });
                      if (done) {
                        const d = done.testWebhookEndpoint;
                        notifySuccess(`Ping ${d.state.toLowerCase()}${d.lastStatus ? `: HTTP ${d.lastStatus}` : ''}`);
                        reload();
                      }
                    }}
                  >
                    Send test ping
                  </Button>
                  <Button variant="default" component={Link} to={`/webhooks/${id}/edit`} leftSection={<IconEdit size={16} />}>
                    Edit
                  </Button>
                  <Menu position="bottom-end">
                    <Menu.Target>
                      <Button variant="default" rightSection={<IconChevronDown size={14} />}>
                        More
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item leftSection={<IconKey size={14} />} onClick={() => setDialog('rotate')}>
                        Rotate secret
                      </Menu.Item>
                      <Menu.Item leftSection={<IconHistory size={14} />} onClick={() => setDialog('replay')}>
                        Replay a period
                      </Menu.Item>
                      <Menu.Divider />
                      <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => setDialog('delete')}>
                        Delete endpoint
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </>
              }
            />
            <Paper withBorder radius="md" p="md">
              <SimpleGrid cols={{ base: 2, md: 4 }}>
                <Stack gap={4}>
                  <Text size="xs" c="dimmed">
                    Enabled
                  </Text>
                  <Switch
                    aria-label="Enabled"
                    checked={endpoint.enabled}
                    onChange={async (e) => {
                      const enabled = e.currentTarget.checked;
                      if (await update({ id, input: endpointInput(endpoint, { enabled }) })) reload();
                    }}
                  />
                </Stack>
                <Stack gap={4}>
                  <Text size="xs" c="dimmed">
                    Status
                  </Text>
                  <EndpointStatus endpoint={endpoint} />
                </Stack>
                <Stack gap={4}>
                  <Text size="xs" c="dimmed">
                    Role
                  </Text>
                  <Badge variant="outline" color="gray">
                    {endpoint.role}
                  </Badge>
                </Stack>
                <Stack gap={4}>
                  <Text size="xs" c="dimmed">
                    Secret
                  </Text>
                  <Text size="sm">
                    {endpoint.previousSecretUntil ? `Old one signs until ${formatDateTime(endpoint.previousSecretUntil)}` : 'One secret signs'}
                  </Text>
                </Stack>
              </SimpleGrid>
              <Group gap={4} mt="md">
                <Text size="xs" c="dimmed" mr={4}>
                  Event types
                </Text>
                {endpoint.events.map((s) => (
                  <Badge key={s.event} size="sm" variant="light">
                    {s.event}
                  </Badge>
                ))}
              </Group>
            </Paper>
            <DeliveryLog endpointId={id} refreshKey={logKey} />
          </Stack>
        )}
      </QueryState>
      <RotateModal
        opened={dialog === 'rotate'}
        busy={rotating.fetching}
        onClose={() => setDialog(null)}
        onRotate={async (overlapSeconds) => {
          const done = await rotate({ id, overlapSeconds });
          if (done) {
            setDialog(null);
            setSecret({ secret: done.rotateWebhookSecret.secret, previousUntil: done.rotateWebhookSecret.endpoint.previousSecretUntil });
            reload();
          }
        }}
      />
      <ReplayModal
        opened={dialog === 'replay'}
        busy={replaying.fetching}
        onClose={() => setDialog(null)}
        onReplay={async (from, to) => {
          if (await replay({ endpointId: id, from, to })) {
            setDialog(null);
            reload();
          }
        }}
      />
      <ConfirmDialog
        opened={dialog === 'delete'}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        cancelLabel="Keep it"
        loading={deleting.fetching}
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          if (await remove({ id })) navigate('/webhooks');
        }}
      >
        <Text size="sm" style={{ wordBreak: 'break-all' }}>
          <b>{endpoint?.url ?? ''}</b> stops receiving events, and its delivery log is deleted with it.
        </Text>
      </ConfirmDialog>
      <SecretModal secret={secret?.secret ?? null} previousUntil={secret?.previousUntil} onClose={() => setSecret(null)} />
    </>
  );
}
