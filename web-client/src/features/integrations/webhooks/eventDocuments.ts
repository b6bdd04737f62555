// Which API error belongs to which event's document: the API names the offending entry
// `events[i].document` (i: its place in the input), with the line and column in the message.

import { parse, print } from 'graphql';
import type { CombinedError } from 'urql';

export function fieldOf(error: CombinedError | undefined): string | null {
  const field = error?.graphQLErrors[0]?.extensions?.field;
  return typeof field === 'string' ? field : null;
}

/** The index of the event whose document the error is about, or null. */
export function eventIndexOf(error: CombinedError | undefined): number | null {
  const match = fieldOf(error)?.match(/^events\[(\d+)\]/);
  return match ? Number(match[1]) : null;
}

/** `line 2, column 5`, when the message says where. */
export function locationOf(message: string): { line: number; column: number } | null {
  const match = message.match(/line (\d+), column (\d+)/);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : null;
}

/** A document laid out one field a line, as GraphQL prints it; left as is when it does not parse. */
export function formatDocument(document: string): string {
  try {
    return print(parse(document));
  } catch {
    return document;
  }
}
