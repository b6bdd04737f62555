// The `/` trigger for quick replies: a slash at the start of the text or after a space,
// followed by what the agent has typed of a shortcut, up to the caret.

export type SlashTrigger = {
  /** Where the `/` is. */
  start: number;
  /** What follows it up to the caret: the search for `quickReplies(search:)`. */
  query: string;
};

/** Letters, digits, `-` and `_`: what a shortcut is made of. */
const SHORTCUT = /^[\p{L}\p{N}_-]*$/u;

export function slashTrigger(text: string, caret: number): SlashTrigger | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf('/');
  if (start === -1) return null;
  if (start > 0 && !/\s/.test(before[start - 1])) return null;
  const query = before.slice(start + 1);
  if (query.length > 32 || !SHORTCUT.test(query)) return null;
  return { start, query };
}

/** The text with the trigger (`/` and the typed query) replaced by `insert`. */
export function replaceTrigger(text: string, caret: number, trigger: SlashTrigger, insert: string) {
  const next = text.slice(0, trigger.start) + insert + text.slice(caret);
  return { text: next, caret: trigger.start + insert.length };
}
