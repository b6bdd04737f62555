// One channel: how to connect it (webhook URL, verify token), verification with the
// provider's answer, sandbox joining, capabilities, sending settings, click-to-chat links
// and the business profile.

import { Anchor, Breadcrumbs, Button, Group, Stack, Tabs } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { useMutationAction } from '../../../lib/useMutationAction';
import { BusinessProfilePanel } from './BusinessProfilePanel';
import { ProviderBadge, StatusBadges } from './ChannelBadges';
import { ChannelFormModal } from './ChannelFormModal';
import { ChannelOverview } from './ChannelOverview';
import { ChannelSettingsPanel } from './ChannelSettingsPanel';
import { ClickToChatPanel } from './ClickToChatPanel';
import { ChannelsDeleteMutation, ChannelsOneQuery } from './documents';

export function ChannelDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ChannelsOneQuery, variables: { id } });
  const [editing, editModal] = useDisclosure(false);
  const [deleting, deleteModal] = useDisclosure(false);
  const [deleteState, remove] = useMutationAction(ChannelsDeleteMutation, 'Channel deleted');
  const channel = data?.channel;
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/channels" size="sm">
          Channels
        </Anchor>
        <span>{channel?.name ?? '…'}</span>
      </Breadcrumbs>
      <QueryState
        fetching={fetching}
        error={error}
        hasData={!!data}
        empty={!channel}
        emptyTitle="This channel does not exist"
        emptyHint="It may have been deleted. Go back to the channel list."
      >
        {channel && (
          <Stack>
            <PageHeader
              title={channel.name}
              description={
                <Group gap="xs" component="span">
                  <ProviderBadge provider={channel.provider} />
                  <span>{channel.phoneNumber}</span>
                  <StatusBadges channel={channel} />
                </Group>
              }
              actions={
                <>
                  <Button variant="default" leftSection={<IconPencil size={16} />} onClick={editModal.open}>
                    Edit
                  </Button>
                  <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={deleteModal.open}>
                    Delete
                  </Button>
                </>
              }
            />
            <Tabs defaultValue="overview" keepMounted={false}>
              <Tabs.List mb="md">
                <Tabs.Tab value="overview">Connection</Tabs.Tab>
                <Tabs.Tab value="sending">Sending</Tabs.Tab>
                <Tabs.Tab value="click-to-chat">Click-to-chat</Tabs.Tab>
                <Tabs.Tab value="profile">Business profile</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="overview">
                <ChannelOverview channel={channel} />
              </Tabs.Panel>
              <Tabs.Panel value="sending">
                <ChannelSettingsPanel channel={channel} />
              </Tabs.Panel>
              <Tabs.Panel value="click-to-chat">
                <ClickToChatPanel channel={channel} />
              </Tabs.Panel>
              <Tabs.Panel value="profile">
                <BusinessProfilePanel channel={channel} />
              </Tabs.Panel>
            </Tabs>
            <ChannelFormModal
              key={channel.updatedAt}
              opened={editing}
              onClose={editModal.close}
              channel={channel}
              onSaved={() => {
                editModal.close();
                reload();
              }}
            />
            <ConfirmDialog
              opened={deleting}
              onClose={deleteModal.close}
              title={`Delete ${channel.name}?`}
              confirmLabel="Delete channel"
              loading={deleteState.fetching}
              onConfirm={async () => {
                const done = await remove({ id: channel.id });
                if (done) void navigate('/channels');
                return !!done;
              }}
            >
              Messages stop arriving on {channel.phoneNumber} through Switchboard. Conversations already recorded stay.
            </ConfirmDialog>
          </Stack>
        )}
      </QueryState>
    </>
  );
}
