import { graphql } from '../../../gql';

export const UsersListQuery = graphql(`
  query WorkspaceUsers($first: Int, $after: String) {
    users(first: $first, after: $after) {
      nodes {
        id
        email
        name
        role
        active
        createdAt
        lastLoginAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const UsersCreateMutation = graphql(`
  mutation WorkspaceUserCreate($input: CreateUserInput!) {
    createUser(input: $input) {
      id
      email
      name
      role
      active
      createdAt
      lastLoginAt
    }
  }
`);

export const UsersUpdateMutation = graphql(`
  mutation WorkspaceUserUpdate($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
      name
      role
      active
    }
  }
`);

export const UsersDeactivateMutation = graphql(`
  mutation WorkspaceUserDeactivate($id: ID!) {
    deactivateUser(id: $id) {
      id
      active
    }
  }
`);
