// A GraphQL request outside urql's cache: sign-in, refresh and sign-out, which run before
// (or after) a session exists.

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { ApiError, type ApiErrorShape } from './errors';

export async function plainRequest<Data, Variables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  token?: string,
): Promise<Data> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: print(document), variables }),
    });
  } catch (cause) {
    throw new ApiError('The server cannot be reached. Check your connection and try again.', 'NETWORK', cause);
  }
  let body: { data?: Data | null; errors?: ApiErrorShape[] };
  try {
    body = await response.json();
  } catch (cause) {
    throw new ApiError(`The server answered ${response.status} without a GraphQL answer.`, 'NETWORK', cause);
  }
  if (body.errors?.length) throw ApiError.from(body.errors[0]);
  if (!body.data) throw new ApiError('The server answered without data.', 'INTERNAL');
  return body.data;
}
