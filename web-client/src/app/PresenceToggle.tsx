import { SegmentedControl } from '@mantine/core';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { PresenceStatus } from '../gql/graphql';
import { useMutationAction } from '../lib/useMutationAction';

const MyPresence = graphql(`
  query MyPresence {
    me {
      presence {
        userId
        status
      }
    }
  }
`);

const SetPresence = graphql(`
  mutation SetPresence($status: PresenceStatus!) {
    setPresence(status: $status) {
      userId
      status
      since
    }
  }
`);

/** The agent's own presence: online agents get conversations routed to them. */
export function PresenceToggle() {
  const [{ data }] = useQuery({ query: MyPresence });
  const [{ fetching }, setPresence] = useMutationAction(SetPresence);
  const status = data?.me.presence?.status ?? 'OFFLINE';
  return (
    <SegmentedControl
      size="xs"
      aria-label="Your presence"
      disabled={fetching}
      value={status}
      onChange={(value) => void setPresence({ status: value as PresenceStatus })}
      data={[
        { value: 'ONLINE', label: 'Online' },
        { value: 'AWAY', label: 'Away' },
        { value: 'OFFLINE', label: 'Offline' },
      ]}
    />
  );
}
