// The inbox's GraphQL documents, in one place so the screens share their shapes.

import { graphql } from '../../gql';

export const InboxConversations = graphql(`
  query InboxConversations($filter: ConversationFilter, $first: Int) {
    conversations(filter: $filter, first: $first) {
      pageInfo {
        hasNextPage
      }
      nodes {
        id
        status
        unreadCount
        windowOpen
        windowExpiresAt
        lastMessageAt
        assigneeId
        snoozedUntil
        contact {
          id
          name
          profileName
          phoneNumber
        }
        channel {
          id
          name
        }
        queue {
          id
          name
        }
        labels {
          id
          name
          color
        }
        lastMessage {
          id
          direction
          text
          content {
            __typename
          }
        }
      }
    }
  }
`);

export const InboxUnreadCounts = graphql(`
  query InboxUnreadCounts {
    unreadCounts {
      conversations
      messages
    }
  }
`);

export const InboxDirectory = graphql(`
  query InboxDirectory {
    queues {
      id
      name
    }
    labels {
      id
      name
      color
    }
    users(first: 100) {
      nodes {
        id
        name
        email
        active
      }
    }
  }
`);

/** Members' presence: owners and admins only (an agent sees names without it). */
export const InboxPresence = graphql(`
  query InboxPresence {
    agents {
      userId
      status
    }
  }
`);

export const InboxMessageFields = graphql(`
  fragment InboxMessageFields on Message {
    id
    direction
    status
    text
    sentAt
    providerMessageId
    forwarded
    lastError {
      code
      message
    }
    attachments {
      id
      state
      contentType
      filename
      caption
      sizeBytes
    }
    content {
      __typename
      ... on TextContent {
        body
      }
      ... on MediaContent {
        mediaType
        caption
        voice
      }
      ... on LocationContent {
        latitude
        longitude
        placeName: name
        address
      }
      ... on ContactsContent {
        contacts {
          formattedName
          organization
          emails
          phones {
            phone
            kind
          }
        }
      }
      ... on ButtonsContent {
        header
        body
        footer
        buttons {
          id
          title
        }
      }
      ... on ListContent {
        header
        body
        button
      }
      ... on ButtonReplyContent {
        id
        title
      }
      ... on ListReplyContent {
        id
        title
        description
      }
      ... on TemplateButtonContent {
        payload
        buttonText: text
      }
      ... on ReactionContent {
        messageId
        emoji
      }
      ... on TemplateContent {
        templateName: name
        templateText: text
      }
      ... on SystemContent {
        kind
        systemBody: body
      }
      ... on UnsupportedContent {
        rawType
      }
      ... on OrderContent {
        orderText: text
        items {
          productRetailerId
          quantity
        }
      }
      ... on FlowReplyContent {
        flowName: name
        flowBody: body
      }
    }
  }
`);

export const InboxConversation = graphql(`
  query InboxConversation($id: ID!) {
    conversation(id: $id) {
      id
      status
      snoozedUntil
      waitingSince
      unreadCount
      assigneeId
      windowOpen
      windowExpiresAt
      lastMessageAt
      openedAt
      resolvedAt
      queue {
        id
        name
      }
      labels {
        id
        name
        color
      }
      csat {
        rating
        askedAt
        answeredAt
      }
      channel {
        id
        name
        provider
        phoneNumber
      }
      contact {
        id
        name
        profileName
        phoneNumber
      }
    }
  }
`);

export const InboxTimeline = graphql(`
  query InboxTimeline($id: ID!, $after: String) {
    conversation(id: $id) {
      id
      timeline(first: 100, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          __typename
          ... on Message {
            ...InboxMessageFields
          }
          ... on ConversationNote {
            id
            noteText: text
            authorName
            createdAt
          }
          ... on ConversationChange {
            changeKind: kind
            at
            actorId
            assigneeId
            queueId
            transferNote: note
            until
          }
        }
      }
    }
  }
`);

export const InboxMissedMessages = graphql(`
  query InboxMissedMessages($after: String) {
    messages(first: 100, after: $after) {
      pageInfo {
        hasNextPage
      }
      edges {
        cursor
      }
      nodes {
        id
        conversation {
          id
        }
      }
    }
  }
`);

export const InboxConversationEvents = graphql(`
  subscription InboxConversationEvents {
    conversationEvents {
      kind
      conversation {
        id
      }
    }
  }
`);

export const InboxMessageEvents = graphql(`
  subscription InboxMessageEvents {
    messageEvents {
      kind
      cursor
      message {
        id
        direction
        status
        conversation {
          id
        }
      }
    }
  }
`);
