// GraphQL selections more than one area asks for. Spread them by name (`...QueueStatsFields`);
// fragment masking is off, so the query's type carries the fields as if written out.

import { graphql } from '../gql';

/** A queue's figures over a period, as the queue page and the dashboard show them. */
export const QueueStatsFields = graphql(`
  fragment QueueStatsFields on QueueStats {
    waiting
    oldestWaitingSince
    assigned
    pending
    opened
    resolved
    firstResponse {
      medianSeconds
      p90Seconds
      count
    }
    firstResponseWithinTarget
    resolution {
      medianSeconds
      p90Seconds
      count
    }
    csat {
      average
      responses
    }
  }
`);

/** What a form needs to take a value of a contact attribute (routing conditions, a contact's values). */
export const ContactAttributeFields = graphql(`
  fragment ContactAttributeFields on ContactAttribute {
    id
    key
    displayName
    type
    choices
  }
`);
