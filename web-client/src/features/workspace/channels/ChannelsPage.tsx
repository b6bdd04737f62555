// The tenant's channels: provider, number, verification and what each can send.

import { Anchor, Button, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { CapabilityBadges, ProviderBadge, StatusBadges } from './ChannelBadges';
import { ChannelFormModal } from './ChannelFormModal';
import { ChannelsListQuery } from './documents';

const LIST_CONTEXT = { additionalTypenames: ['Channel'] };

export function ChannelsPage() {
  // An empty list names no Channel, so the document cache would not know that creating one
  // changes it: say so, or a return here shows the empty state of an earlier visit.
  const [{ data, fetching, error }, refetch] = useQuery({ query: ChannelsListQuery, context: LIST_CONTEXT });
  const [creating, { open, close }] = useDisclosure(false);
  const navigate = useNavigate();
  const channels = data?.channels ?? [];
  const addButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={open}>
      Add channel
    </Button>
  );
  return (
    <>
      <PageHeader title="Channels" description="The WhatsApp numbers this workspace sends and receives on." actions={addButton} />
      <QueryState
        fetching={fetching}
        error={error}
        hasData={!!data}
        empty={channels.length === 0}
        emptyTitle="No channels yet"
        emptyHint="Connect a Twilio or Meta WhatsApp number to start receiving messages."
        emptyAction={addButton}
      >
        <Table.ScrollContainer minWidth={700}>
          <Table highlightOnHover verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th miw={96}>Provider</Table.Th>
                <Table.Th>Number</Table.Th>
                <Table.Th miw={170}>Status</Table.Th>
                <Table.Th>Capabilities</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {channels.map((c) => (
                <Table.Tr key={c.id} style={{ cursor: 'pointer' }} onClick={() => void navigate(`/channels/${c.id}`)}>
                  <Table.Td>
                    <Anchor component={Link} to={`/channels/${c.id}`} fw={600} onClick={(e) => e.stopPropagation()}>
                      {c.name}
                    </Anchor>
                    {c.verification?.displayName && (
                      <Text size="xs" c="dimmed">
                        Shown as {c.verification.displayName}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <ProviderBadge provider={c.provider} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {c.phoneNumber}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadges channel={c} />
                  </Table.Td>
                  <Table.Td>
                    <CapabilityBadges capabilities={c.capabilities} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
      <ChannelFormModal
        opened={creating}
        onClose={close}
        onSaved={(channel) => {
          close();
          refetch({ requestPolicy: 'network-only' });
          void navigate(`/channels/${channel.id}`);
        }}
      />
    </>
  );
}
