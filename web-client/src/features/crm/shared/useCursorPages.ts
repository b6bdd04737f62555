import { useCallback, useState } from 'react';

/**
 * Forward-only cursors made pageable both ways: the cursors of the pages seen so far, the
 * last being the current page's `after` (null for the first page).
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const next = useCallback((endCursor: string | null | undefined) => {
    if (endCursor) setCursors((c) => [...c, endCursor]);
  }, []);
  const previous = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  const reset = useCallback(() => setCursors([null]), []);
  return { after: cursors[cursors.length - 1], number: cursors.length, next, previous, reset };
}
