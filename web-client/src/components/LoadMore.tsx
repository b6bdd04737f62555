import { Button, Center } from '@mantine/core';

/** The "Load more" button under a paged list, shown while the API says a next page exists. */
export function LoadMore({ hasMore, loading, onMore }: { hasMore: boolean | undefined; loading: boolean; onMore: () => void }) {
  if (!hasMore) return null;
  return (
    <Center mt="md">
      <Button variant="default" loading={loading} onClick={onMore}>
        Load more
      </Button>
    </Center>
  );
}
