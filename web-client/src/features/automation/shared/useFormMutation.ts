// A mutation whose failure is shown next to its form (the API's message and code), not only
// as a toast: validation errors such as BAD_USER_INPUT or CONFLICT belong where the input is.

import { useCallback, useState } from 'react';
import { useMutation, type AnyVariables, type CombinedError, type TypedDocumentNode } from 'urql';
import { notifySuccess } from '../../../lib/notify';

export function useFormMutation<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  success?: string,
) {
  const [state, execute] = useMutation(document);
  const [error, setError] = useState<CombinedError | null>(null);
  const run = useCallback(
    async (variables: Variables): Promise<Data | null> => {
      setError(null);
      const result = await execute(variables);
      if (result.error || !result.data) {
        setError(result.error ?? null);
        return null;
      }
      if (success) notifySuccess(success);
      return result.data;
    },
    [execute, success],
  );
  const reset = useCallback(() => setError(null), []);
  return { run, error, reset, fetching: state.fetching } as const;
}
