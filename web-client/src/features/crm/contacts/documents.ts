// The contacts screens' GraphQL documents.

import { graphql } from '../../../gql';

export const ContactsList = graphql(`
  query CrmContactsList($search: String, $first: Int, $after: String) {
    contacts(search: $search, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        profileName
        phoneNumber
        language
        optedIn
        lastInboundAt
        createdAt
      }
    }
  }
`);

export const ContactDetail = graphql(`
  query CrmContactDetail($id: ID!) {
    contact(id: $id) {
      id
      waId
      name
      profileName
      phoneNumber
      language
      optedIn
      optedOutAt
      optedInAt
      optInSource
      marketingOptedOutAt
      lastInboundAt
      createdAt
      attributes {
        key
        value
        updatedAt
      }
    }
    contactAttributes {
      ...ContactAttributeFields
    }
  }
`);

export const ContactConversations = graphql(`
  query CrmContactConversations($contactId: ID!) {
    conversations(filter: { contactId: $contactId }, first: 20) {
      nodes {
        id
        status
        openedAt
        resolvedAt
        lastMessageAt
        channel {
          id
          name
        }
        queue {
          id
          name
        }
      }
    }
  }
`);

export const ContactMessages = graphql(`
  query CrmContactMessages($id: ID!, $first: Int, $after: String) {
    contact(id: $id) {
      id
      messages(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          direction
          status
          text
          sentAt
          createdAt
          channel {
            id
            name
          }
          content {
            __typename
            ... on TemplateContent {
              name
              text
            }
          }
          lastError {
            code
            message
          }
          statusHistory {
            status
            providerStatus
            errorCode
            errorMessage
            at
          }
          attempts {
            number
            startedAt
            durationMs
            request
            httpStatus
            outcome
            providerCode
            providerMessage
            providerMessageId
          }
        }
      }
    }
  }
`);

export const UpdateContact = graphql(`
  mutation CrmUpdateContact($id: ID!, $input: UpdateContactInput!) {
    updateContact(id: $id, input: $input) {
      id
      name
      language
      attributes {
        key
        value
        updatedAt
      }
    }
  }
`);

export const SetContactOptIn = graphql(`
  mutation CrmSetContactOptIn($contactId: ID!, $optedIn: Boolean!) {
    setContactOptIn(contactId: $contactId, optedIn: $optedIn) {
      id
      optedIn
      optedOutAt
      optedInAt
      optInSource
    }
  }
`);

export const PreviewContactImport = graphql(`
  query CrmPreviewContactImport($document: String!, $format: DocumentFormat!) {
    previewContactImport(document: $document, format: $format) {
      ...CrmImportReport
    }
  }
`);

export const ImportContacts = graphql(`
  mutation CrmImportContacts($document: String!, $format: DocumentFormat!) {
    importContacts(document: $document, format: $format) {
      ...CrmImportReport
    }
  }
`);

export const ImportReportFields = graphql(`
  fragment CrmImportReport on ContactImportReport {
    applied
    created
    updated
    unchanged
    refused
    lines {
      line
      phoneNumber
      outcome
      contactId
      fields
      problems {
        reason
        column
        message
      }
    }
  }
`);

export const ExportContacts = graphql(`
  query CrmExportContacts($format: DocumentFormat!, $search: String) {
    exportContacts(format: $format, search: $search) {
      filename
      contentType
      content
      rows
    }
  }
`);

export const EraseContact = graphql(`
  mutation CrmEraseContact($id: ID!) {
    eraseContact(id: $id) {
      contactId
      conversations
      messages
      files
    }
  }
`);

export const ContactConsentEvents = graphql(`
  subscription CrmContactConsentEvents {
    contactEvents {
      kind
      contact {
        id
      }
    }
  }
`);
