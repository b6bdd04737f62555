// The queue screens' GraphQL documents.

import { graphql } from '../../../gql';

export const QueuesListQuery = graphql(`
  query AutomationQueuesList {
    queues {
      id
      name
      isDefault
      assignmentMode
      openNow
      hours {
        timeZone
      }
      csat {
        enabled
      }
      members {
        ...AutomationQueueMemberFields
      }
    }
  }
`);

export const QueueWaitingQuery = graphql(`
  query AutomationQueueWaiting($queueId: ID!, $from: DateTime!, $to: DateTime!) {
    queueStats(queueId: $queueId, from: $from, to: $to) {
      waiting
      assigned
    }
  }
`);

export const QueueDetailQuery = graphql(`
  query AutomationQueueDetail($id: ID!) {
    queue(id: $id) {
      ...AutomationQueueSettingsFields
      csat {
        enabled
        question
      }
      automations {
        ...AutomationQueueAutomationsFields
      }
      updatedAt
    }
  }
`);

export const QueueMemberFields = graphql(`
  fragment AutomationQueueMemberFields on QueueMember {
    userId
    capacity
    user {
      id
      name
      email
    }
  }
`);

/** What the queue's settings form edits, as the detail query and the update answer it. */
export const QueueSettingsFields = graphql(`
  fragment AutomationQueueSettingsFields on Queue {
    id
    name
    isDefault
    assignmentMode
    language
    firstResponseMinutes
    openNow
    hours {
      timeZone
      weekly {
        day
        opens
        closes
      }
      exceptions {
        date
        spans {
          opens
          closes
        }
      }
    }
    members {
      ...AutomationQueueMemberFields
    }
  }
`);

export const QueueAutomationFields = graphql(`
  fragment AutomationQueueAutomationFields on QueueAutomation {
    kind
    enabled
    text
    templateId
    templateVariables {
      key
      value
    }
    afterMinutes
    updatedAt
  }
`);

/** The four automated messages of a queue, as the detail query and their update answer them. */
export const QueueAutomationsFields = graphql(`
  fragment AutomationQueueAutomationsFields on QueueAutomations {
    welcome {
      ...AutomationQueueAutomationFields
    }
    outOfHours {
      ...AutomationQueueAutomationFields
    }
    waiting {
      ...AutomationQueueAutomationFields
    }
    resolved {
      ...AutomationQueueAutomationFields
    }
  }
`);

export const TenantUsersQuery = graphql(`
  query AutomationTenantUsers {
    users(first: 100) {
      edges {
        node {
          id
          name
          email
          role
          active
        }
      }
    }
  }
`);

export const AgentsPresenceQuery = graphql(`
  query AutomationAgentsPresence {
    agents {
      userId
      status
      openConversations
    }
  }
`);

export const TemplatesQuery = graphql(`
  query AutomationTemplates {
    templates {
      id
      name
      language
    }
  }
`);

export const QueueStatsQuery = graphql(`
  query AutomationQueueStats($queueId: ID!, $from: DateTime!, $to: DateTime!) {
    queueStats(queueId: $queueId, from: $from, to: $to) {
      ...QueueStatsFields
    }
  }
`);

export const CreateQueueMutation = graphql(`
  mutation AutomationCreateQueue($input: CreateQueueInput!) {
    createQueue(input: $input) {
      id
      name
    }
  }
`);

export const UpdateQueueMutation = graphql(`
  mutation AutomationUpdateQueue($id: ID!, $input: UpdateQueueInput!) {
    updateQueue(id: $id, input: $input) {
      ...AutomationQueueSettingsFields
      updatedAt
    }
  }
`);

export const DeleteQueueMutation = graphql(`
  mutation AutomationDeleteQueue($id: ID!, $moveTo: ID) {
    deleteQueue(id: $id, moveTo: $moveTo)
  }
`);

export const UpdateAutomationsMutation = graphql(`
  mutation AutomationUpdateQueueAutomations($queueId: ID!, $input: QueueAutomationsInput!) {
    updateQueueAutomations(queueId: $queueId, input: $input) {
      ...AutomationQueueAutomationsFields
    }
  }
`);

export const UpdateCsatMutation = graphql(`
  mutation AutomationUpdateQueueCsat($queueId: ID!, $input: QueueCsatInput!) {
    updateQueueCsat(queueId: $queueId, input: $input) {
      id
      csat {
        enabled
        question
      }
    }
  }
`);
