import { Badge, Stack, Text, Tooltip } from '@mantine/core';
import type { IntegrationsEndpointFieldsFragment, WebhookEndpointInput } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/time';

type Endpoint = IntegrationsEndpointFieldsFragment;

/** The input that saves `endpoint` as it is, with `changes`: the API replaces every setting. */
export function endpointInput(endpoint: Endpoint, changes: Partial<WebhookEndpointInput> = {}): WebhookEndpointInput {
  return {
    url: endpoint.url,
    description: endpoint.description,
    enabled: endpoint.enabled,
    role: endpoint.role,
    events: endpoint.events.map((e) => ({ type: e.event, document: e.document })),
    ...changes,
  };
}

/** Enabled, disabled (with Switchboard's reason) or failing since when. */
export function EndpointStatus({ endpoint }: { endpoint: Endpoint }) {
  if (!endpoint.enabled) {
    return (
      <Stack gap={2} align="flex-start">
        <Badge color="gray" variant="light">
          Disabled
        </Badge>
        {endpoint.disabledReason && (
          <Text size="xs" c="red" maw={260}>
            {endpoint.disabledReason}
          </Text>
        )}
      </Stack>
    );
  }
  if (endpoint.failingSince) {
    return (
      <Tooltip label={endpoint.lastError ?? 'Every attempt fails'}>
        <Badge color="orange" variant="light">
          Failing since {formatDateTime(endpoint.failingSince)}
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Badge color="teal" variant="light">
      Active
    </Badge>
  );
}
