// Runs a mutation and reports its outcome: a notification with the API's message and code on
// failure, an optional one on success. Answers the data, or null when it failed.

import { useCallback } from 'react';
import { useMutation, type AnyVariables, type TypedDocumentNode } from 'urql';
import { notifyError, notifySuccess } from './notify';

export function useMutationAction<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  success?: string | ((data: Data) => string),
) {
  const [state, execute] = useMutation(document);
  const run = useCallback(
    async (variables: Variables): Promise<Data | null> => {
      const result = await execute(variables);
      if (result.error || !result.data) {
        notifyError(result.error);
        return null;
      }
      if (success) notifySuccess(typeof success === 'string' ? success : success(result.data));
      return result.data;
    },
    [execute, success],
  );
  return [state, run] as const;
}
