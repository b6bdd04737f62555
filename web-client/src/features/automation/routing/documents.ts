import { graphql } from '../../../gql';

export const RoutingRulesQuery = graphql(`
  query AutomationRoutingRules {
    routingRules {
      id
      name
      position
      enabled
      queue {
        id
        name
      }
      conditions {
        kind
        channelId
        key
        value
        queueId
      }
      updatedAt
    }
  }
`);

export const RoutingContextQuery = graphql(`
  query AutomationRoutingContext {
    queues {
      id
      name
      isDefault
    }
    channels {
      id
      name
    }
    contactAttributes {
      ...ContactAttributeFields
    }
  }
`);

export const CreateRoutingRule = graphql(`
  mutation AutomationCreateRoutingRule($input: CreateRoutingRuleInput!) {
    createRoutingRule(input: $input) {
      id
    }
  }
`);

export const UpdateRoutingRule = graphql(`
  mutation AutomationUpdateRoutingRule($id: ID!, $input: UpdateRoutingRuleInput!) {
    updateRoutingRule(id: $id, input: $input) {
      id
      name
      enabled
      position
    }
  }
`);

export const DeleteRoutingRule = graphql(`
  mutation AutomationDeleteRoutingRule($id: ID!) {
    deleteRoutingRule(id: $id)
  }
`);

export const ReorderRoutingRules = graphql(`
  mutation AutomationReorderRoutingRules($ids: [ID!]!) {
    reorderRoutingRules(ids: $ids) {
      id
      position
    }
  }
`);

export const TestRouting = graphql(`
  query AutomationTestRouting($input: TestRoutingInput!) {
    testRouting(input: $input) {
      routedBy
      rule {
        id
        name
      }
      queue {
        id
        name
      }
    }
  }
`);
