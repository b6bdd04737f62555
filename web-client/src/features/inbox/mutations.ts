// The inbox's mutations: reading, retrying, and moving a conversation through its life.

import { graphql } from '../../gql';

export const InboxMarkRead = graphql(`
  mutation InboxMarkRead($id: ID!) {
    markConversationRead(id: $id) {
      id
      unreadCount
    }
  }
`);

export const InboxRetry = graphql(`
  mutation InboxRetry($id: ID!) {
    retryMessage(id: $id) {
      id
      status
    }
  }
`);

export const InboxAssign = graphql(`
  mutation InboxAssign($id: ID!, $userId: ID!) {
    assignConversation(id: $id, userId: $userId) {
      id
      status
      assigneeId
    }
  }
`);

export const InboxUnassign = graphql(`
  mutation InboxUnassign($id: ID!) {
    unassignConversation(id: $id) {
      id
      status
      assigneeId
    }
  }
`);

export const InboxTransfer = graphql(`
  mutation InboxTransfer($id: ID!, $input: TransferConversationInput!) {
    transferConversation(id: $id, input: $input) {
      id
      status
      assigneeId
      queueId
    }
  }
`);

export const InboxSnooze = graphql(`
  mutation InboxSnooze($id: ID!, $until: DateTime) {
    snoozeConversation(id: $id, until: $until) {
      id
      status
      snoozedUntil
    }
  }
`);

export const InboxResolve = graphql(`
  mutation InboxResolve($id: ID!) {
    resolveConversation(id: $id) {
      id
      status
    }
  }
`);

export const InboxReopen = graphql(`
  mutation InboxReopen($id: ID!) {
    reopenConversation(id: $id) {
      id
      status
    }
  }
`);

export const InboxLabel = graphql(`
  mutation InboxLabel($id: ID!, $labelIds: [ID!]!) {
    labelConversation(conversationId: $id, labelIds: $labelIds) {
      id
      labels {
        id
      }
    }
  }
`);

export const InboxUnlabel = graphql(`
  mutation InboxUnlabel($id: ID!, $labelIds: [ID!]!) {
    unlabelConversation(conversationId: $id, labelIds: $labelIds) {
      id
      labels {
        id
      }
    }
  }
`);
