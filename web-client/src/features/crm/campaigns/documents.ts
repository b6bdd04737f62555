// The campaigns screens' GraphQL documents.

import { graphql } from '../../../gql';

export const CampaignFields = graphql(`
  fragment CrmCampaign on Campaign {
    id
    name
    state
    stateReason
    startAt
    recipientCount
    createdBy
    createdAt
    startedAt
    finishedAt
    channel {
      id
      name
      provider
    }
    template {
      id
      name
      language
      category
      status
      body
    }
    counts {
      total
      pending
      queued
      sent
      delivered
      read
      failed
      skipped
      skippedByReason {
        reason
        count
      }
    }
  }
`);

export const CampaignsList = graphql(`
  query CrmCampaignsList($first: Int, $after: String) {
    campaigns(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...CrmCampaign
      }
    }
  }
`);

export const CampaignDetail = graphql(`
  query CrmCampaignDetail($id: ID!) {
    campaign(id: $id) {
      ...CrmCampaign
    }
  }
`);

export const CampaignRecipients = graphql(`
  query CrmCampaignRecipients($id: ID!, $state: RecipientState, $first: Int, $after: String) {
    campaign(id: $id) {
      id
      recipients(state: $state, first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          phone
          variables
          state
          skipReason
          message {
            id
            status
            lastError {
              code
              message
            }
          }
        }
      }
    }
  }
`);

export const CampaignProgress = graphql(`
  subscription CrmCampaignProgress($id: ID!) {
    campaignProgress(id: $id) {
      ...CrmCampaign
    }
  }
`);

export const PreviewCampaign = graphql(`
  query CrmPreviewCampaign($id: ID!) {
    previewCampaign(id: $id) {
      total
      sendable
      skipped
      skippedByReason {
        reason
        count
      }
      outsideWindow
    }
  }
`);

export const CampaignFormOptions = graphql(`
  query CrmCampaignFormOptions {
    channels {
      id
      name
      provider
      phoneNumber
    }
    templates {
      id
      channelId
      name
      language
      category
      status
      body
      variables
    }
  }
`);

export const CreateCampaign = graphql(`
  mutation CrmCreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CrmCampaign
    }
  }
`);

export const StartCampaign = graphql(`
  mutation CrmStartCampaign($id: ID!) {
    startCampaign(id: $id) {
      ...CrmCampaign
    }
  }
`);

export const PauseCampaign = graphql(`
  mutation CrmPauseCampaign($id: ID!) {
    pauseCampaign(id: $id) {
      ...CrmCampaign
    }
  }
`);

export const ResumeCampaign = graphql(`
  mutation CrmResumeCampaign($id: ID!) {
    resumeCampaign(id: $id) {
      ...CrmCampaign
    }
  }
`);

export const CancelCampaign = graphql(`
  mutation CrmCancelCampaign($id: ID!) {
    cancelCampaign(id: $id) {
      ...CrmCampaign
    }
  }
`);
