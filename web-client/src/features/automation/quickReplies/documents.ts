import { graphql } from '../../../gql';

export const QuickRepliesQuery = graphql(`
  query AutomationQuickReplies($queueId: ID, $search: String) {
    quickReplies(queueId: $queueId, search: $search) {
      id
      queueId
      shortcut
      text
      variables
      media {
        type
        mediaId
      }
      updatedAt
    }
  }
`);

export const QuickReplyContextQuery = graphql(`
  query AutomationQuickReplyContext {
    queues {
      id
      name
    }
    contactAttributes {
      id
      key
      displayName
    }
  }
`);

export const CreateQuickReply = graphql(`
  mutation AutomationCreateQuickReply($input: CreateQuickReplyInput!) {
    createQuickReply(input: $input) {
      id
    }
  }
`);

export const UpdateQuickReply = graphql(`
  mutation AutomationUpdateQuickReply($id: ID!, $input: UpdateQuickReplyInput!) {
    updateQuickReply(id: $id, input: $input) {
      id
      shortcut
      text
      variables
      updatedAt
    }
  }
`);

export const DeleteQuickReply = graphql(`
  mutation AutomationDeleteQuickReply($id: ID!) {
    deleteQuickReply(id: $id)
  }
`);
