// The channel screens' GraphQL documents. Credentials are write-only: no document reads them.

import { graphql } from '../../../gql';

export const ChannelFieldsFragment = graphql(`
  fragment ChannelsFields on Channel {
    id
    name
    provider
    phoneNumber
    credentialHint
    webhookUrl
    webhookUrlWithRetries
    statusCallbackUrl
    verifyToken
    verifiedAt
    twilio {
      accountSid
      apiKeySid
      messagingServiceSid
    }
    meta {
      phoneNumberId
      businessAccountId
    }
    sandbox {
      joinCode
      joinMessage
      number
      instruction
      joinUrl
    }
    verification {
      verifiedAt
      displayName
      displayNumber
      qualityRating
    }
    settings {
      language
      defaultQueueId
      maxRetries
      retryWaitSeconds
      messagesPerSecond
      inboundMedia
      allowedMediaTypes
    }
    capabilities {
      contentKinds
      textMaxLength
      captionMaxLength
      maxButtons
      maxListRows
      replyContext
      readReceipts
      media {
        kind
        mimeTypes
        maxBytes
      }
    }
    createdAt
    updatedAt
  }
`);

export const ChannelsListQuery = graphql(`
  query ChannelsList {
    channels {
      ...ChannelsFields
    }
  }
`);

export const ChannelsOneQuery = graphql(`
  query ChannelsOne($id: ID!) {
    channel(id: $id) {
      ...ChannelsFields
    }
  }
`);

export const ChannelsCreateMutation = graphql(`
  mutation ChannelsCreate($input: CreateChannelInput!) {
    createChannel(input: $input) {
      ...ChannelsFields
    }
  }
`);

export const ChannelsUpdateMutation = graphql(`
  mutation ChannelsUpdate($id: ID!, $input: UpdateChannelInput!) {
    updateChannel(id: $id, input: $input) {
      ...ChannelsFields
    }
  }
`);

export const ChannelsVerifyMutation = graphql(`
  mutation ChannelsVerify($id: ID!) {
    verifyChannel(id: $id) {
      ...ChannelsFields
    }
  }
`);

export const ChannelsDeleteMutation = graphql(`
  mutation ChannelsDelete($id: ID!) {
    deleteChannel(id: $id)
  }
`);

export const ChannelsQueuesQuery = graphql(`
  query ChannelsQueues {
    queues {
      id
      name
    }
  }
`);

export const ChannelsBusinessProfileFields = graphql(`
  fragment ChannelsBusinessProfileFields on BusinessProfile {
    about
    address
    description
    email
    websites
    vertical
    photoUrl
  }
`);

export const ChannelsProfileQuery = graphql(`
  query ChannelsProfile($channelId: ID!) {
    businessProfile(channelId: $channelId) {
      ...ChannelsBusinessProfileFields
    }
  }
`);

export const ChannelsProfileUpdateMutation = graphql(`
  mutation ChannelsProfileUpdate($channelId: ID!, $input: UpdateBusinessProfileInput!) {
    updateBusinessProfile(channelId: $channelId, input: $input) {
      ...ChannelsBusinessProfileFields
    }
  }
`);

export const ChannelsClickToChatQuery = graphql(`
  query ChannelsClickToChat($channelId: ID!, $text: String, $referral: String) {
    clickToChatLink(channelId: $channelId, text: $text, referral: $referral) {
      url
      text
      referralTag
      qrCodePng
    }
  }
`);

export const ChannelsStoredLinksQuery = graphql(`
  query ChannelsStoredLinks($channelId: ID!) {
    clickToChatLinks(channelId: $channelId) {
      id
      tag
      source
      text
      conversationsOpened
      createdAt
      link {
        url
        qrCodePng
      }
    }
  }
`);

export const ChannelsCreateLinkMutation = graphql(`
  mutation ChannelsCreateLink($input: CreateClickToChatLinkInput!) {
    createClickToChatLink(input: $input) {
      id
      tag
    }
  }
`);

export const ChannelsDeleteLinkMutation = graphql(`
  mutation ChannelsDeleteLink($id: ID!) {
    deleteClickToChatLink(id: $id)
  }
`);
