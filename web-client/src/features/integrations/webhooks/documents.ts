// The outgoing webhooks screens' GraphQL documents.

import { graphql } from '../../../gql';

export const EndpointFields = graphql(`
  fragment IntegrationsEndpointFields on WebhookEndpoint {
    id
    url
    description
    enabled
    role
    events {
      event
      document
    }
    disabledReason
    disabledAt
    failingSince
    lastError
    previousSecretUntil
    createdAt
    updatedAt
  }
`);

export const EndpointsList = graphql(`
  query IntegrationsWebhookEndpoints {
    webhookEndpoints {
      ...IntegrationsEndpointFields
    }
  }
`);

export const EndpointById = graphql(`
  query IntegrationsWebhookEndpoint($id: ID!) {
    webhookEndpoint(id: $id) {
      ...IntegrationsEndpointFields
    }
  }
`);

export const EventTypes = graphql(`
  query IntegrationsWebhookEventTypes {
    webhookEventTypes {
      type
      field
      defaultDocument
      adminOnly
    }
  }
`);

export const CreateEndpoint = graphql(`
  mutation IntegrationsCreateWebhookEndpoint($input: WebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      secret
      endpoint {
        ...IntegrationsEndpointFields
      }
    }
  }
`);

export const UpdateEndpoint = graphql(`
  mutation IntegrationsUpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointInput!) {
    updateWebhookEndpoint(id: $id, input: $input) {
      ...IntegrationsEndpointFields
    }
  }
`);

export const DeleteEndpoint = graphql(`
  mutation IntegrationsDeleteWebhookEndpoint($id: ID!) {
    deleteWebhookEndpoint(id: $id)
  }
`);

export const RotateSecret = graphql(`
  mutation IntegrationsRotateWebhookSecret($id: ID!, $overlapSeconds: Int!) {
    rotateWebhookSecret(id: $id, overlapSeconds: $overlapSeconds) {
      secret
      endpoint {
        ...IntegrationsEndpointFields
      }
    }
  }
`);

export const DeliveryFields = graphql(`
  fragment IntegrationsDeliveryFields on WebhookDelivery {
    id
    eventId
    eventType
    state
    occurredAt
    attemptCount
    nextAttemptAt
    deliveredAt
    lastStatus
    lastError
    payload
    attempts {
      number
      at
      statusCode
      durationMs
      error
      responseExcerpt
    }
  }
`);

export const TestEndpoint = graphql(`
  mutation IntegrationsTestWebhookEndpoint($id: ID!) {
    testWebhookEndpoint(id: $id) {
      ...IntegrationsDeliveryFields
    }
  }
`);

export const Deliveries = graphql(`
  query IntegrationsWebhookDeliveries($endpointId: ID!, $filter: WebhookDeliveryFilter, $first: Int, $after: String) {
    webhookDeliveries(endpointId: $endpointId, filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...IntegrationsDeliveryFields
      }
    }
  }
`);

export const Redeliver = graphql(`
  mutation IntegrationsRedeliverWebhook($id: ID!) {
    redeliverWebhook(id: $id) {
      ...IntegrationsDeliveryFields
    }
  }
`);

export const Replay = graphql(`
  mutation IntegrationsReplayWebhooks($endpointId: ID!, $from: DateTime!, $to: DateTime!) {
    replayWebhooks(endpointId: $endpointId, from: $from, to: $to)
  }
`);
