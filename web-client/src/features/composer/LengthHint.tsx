// How much of the channel's limit the text uses: a caption must fit; a longer text is sent
// in parts (README "Sending"), which the agent should know before sending.

import { Text } from '@mantine/core';
import { useQuery } from 'urql';
import { graphql } from '../../gql';

const LimitsQuery = graphql(`
  query ComposerChannelLimits($id: ID!) {
    channel(id: $id) {
      id
      capabilities {
        textMaxLength
        captionMaxLength
      }
    }
  }
`);

/** The limit that applies, or null while unknown. */
export function useLengthLimit(channelId: string, caption: boolean): number | null {
  const [{ data }] = useQuery({ query: LimitsQuery, variables: { id: channelId } });
  const caps = data?.channel?.capabilities;
  if (!caps) return null;
  return caption ? caps.captionMaxLength : caps.textMaxLength;
}

export function LengthHint({ length, limit, caption }: { length: number; limit: number | null; caption: boolean }) {
  // Quiet until the text nears the limit.
  if (!limit || length < limit * 0.8) return null;
  const over = length > limit;
  const parts = Math.ceil(length / limit);
  return (
    <Text size="xs" c={over ? (caption ? 'red' : 'orange') : 'dimmed'} aria-live="polite">
      {length} / {limit}
      {over && (caption ? ': too long for a caption' : `: goes as ${parts} messages`)}
    </Text>
  );
}
