// The delete flow every automation list shares: which row the dialog asks about, the delete
// itself (its refusal shown in the dialog, as forms show theirs), and a refresh once it is gone.

import { useState } from 'react';
import type { TypedDocumentNode } from 'urql';
import { useFormMutation } from './useFormMutation';

export function useDeleteConfirm<Row extends { id: string }>(
  document: TypedDocumentNode<unknown, { id: string }>,
  success: string,
  onDeleted: () => void,
) {
  const [deleting, setDeleting] = useState<Row | null>(null);
  const remove = useFormMutation(document, success);
  /** Spread on `ConfirmDialog`, beside its title and body. */
  const dialog = {
    opened: deleting !== null,
    onClose: () => setDeleting(null),
    onConfirm: async () => {
      if (!deleting) return;
      if (await remove.run({ id: deleting.id })) {
        setDeleting(null);
        onDeleted();
      }
    },
    loading: remove.fetching,
    error: remove.error,
    errorTitle: 'Not deleted',
  };
  return { deleting, setDeleting, dialog };
}
