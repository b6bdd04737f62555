// The templates screen's GraphQL documents.

import { graphql } from '../../../gql';

export const TemplateFields = graphql(`
  fragment IntegrationsTemplateFields on Template {
    id
    channelId
    name
    language
    category
    status
    rejectionReason
    body
    headerText
    footer
    quickReplies
    variables
    parameterFormat
    providerTemplateId
    updatedAt
    syncedAt
  }
`);

export const TemplatesList = graphql(`
  query IntegrationsTemplates($channelId: ID) {
    templates(channelId: $channelId) {
      ...IntegrationsTemplateFields
    }
  }
`);

export const TemplatesChannels = graphql(`
  query IntegrationsChannels {
    channels {
      id
      name
      provider
      phoneNumber
    }
  }
`);

export const TemplateStatusEvents = graphql(`
  subscription IntegrationsTemplateEvents($channelId: ID) {
    templateEvents(channelId: $channelId) {
      template {
        ...IntegrationsTemplateFields
      }
    }
  }
`);

export const CreateTemplate = graphql(`
  mutation IntegrationsCreateTemplate($input: CreateTemplateInput!) {
    createTemplate(input: $input) {
      ...IntegrationsTemplateFields
    }
  }
`);

export const UpdateTemplate = graphql(`
  mutation IntegrationsUpdateTemplate($id: ID!, $input: UpdateTemplateInput!) {
    updateTemplate(id: $id, input: $input) {
      ...IntegrationsTemplateFields
    }
  }
`);

export const SubmitTemplate = graphql(`
  mutation IntegrationsSubmitTemplate($id: ID!) {
    submitTemplate(id: $id) {
      ...IntegrationsTemplateFields
    }
  }
`);

export const DeleteTemplate = graphql(`
  mutation IntegrationsDeleteTemplate($id: ID!) {
    deleteTemplate(id: $id)
  }
`);

export const SyncTemplates = graphql(`
  mutation IntegrationsSyncTemplates($channelId: ID!) {
    syncTemplates(channelId: $channelId) {
      id
    }
  }
`);

export const TemplateById = graphql(`
  query IntegrationsTemplate($id: ID!) {
    template(id: $id) {
      ...IntegrationsTemplateFields
    }
  }
`);
