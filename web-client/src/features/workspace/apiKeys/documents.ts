import { graphql } from '../../../gql';

export const ApiKeysListQuery = graphql(`
  query WorkspaceApiKeys {
    apiKeys {
      id
      name
      prefix
      role
      active
      createdAt
      lastUsedAt
      revokedAt
    }
  }
`);

export const ApiKeysCreateMutation = graphql(`
  mutation WorkspaceApiKeyCreate($name: String!, $role: Role) {
    createApiKey(name: $name, role: $role) {
      secret
      apiKey {
        id
        name
        prefix
        role
      }
    }
  }
`);

export const ApiKeysRevokeMutation = graphql(`
  mutation WorkspaceApiKeyRevoke($id: ID!) {
    revokeApiKey(id: $id) {
      id
      active
      revokedAt
    }
  }
`);
