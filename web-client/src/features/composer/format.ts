// The WhatsApp formatting toolbar's edits, as pure functions of the text and its selection:
// the component applies the answer and puts the selection back where it says.

export type Edit = { text: string; start: number; end: number };

export type InlineStyle = 'bold' | 'italic' | 'strike' | 'mono';
export type BlockStyle = 'bullet' | 'numbered' | 'quote';

/** WhatsApp's own markers: what the customer's app renders, so the text goes as written. */
export const MARKERS: Record<InlineStyle, string> = { bold: '*', italic: '_', strike: '~', mono: '```' };

/**
 * Wraps the selection in the style's marker, or unwraps it when it is already wrapped (the
 * markers just inside or just outside the selection). An empty selection gets an empty pair
 * with the caret between, ready to type into.
 */
export function toggleInline(text: string, start: number, end: number, style: InlineStyle): Edit {
  const m = MARKERS[style];
  const selected = text.slice(start, end);
  // Markers inside the selection: `*word*` selected whole.
  if (selected.length >= 2 * m.length && selected.startsWith(m) && selected.endsWith(m)) {
    const inner = selected.slice(m.length, selected.length - m.length);
    return { text: text.slice(0, start) + inner + text.slice(end), start, end: start + inner.length };
  }
  // Markers around the selection: `word` selected inside `*word*`.
  if (start >= m.length && text.slice(start - m.length, start) === m && text.slice(end, end + m.length) === m && end > start) {
    return {
      text: text.slice(0, start - m.length) + selected + text.slice(end + m.length),
      start: start - m.length,
      end: end - m.length,
    };
  }
  // WhatsApp ignores a marker next to a space on its inside, so spaces stay outside the pair.
  const lead = selected.length - selected.trimStart().length;
  const trail = selected.length - selected.trimEnd().length;
  const core = selected.trim();
  if (!core) {
    const caret = start + m.length;
    return { text: text.slice(0, start) + m + m + text.slice(end), start: caret, end: caret };
  }
  const from = start + lead;
  const wrapped = m + core + m;
  return {
    text: text.slice(0, from) + wrapped + text.slice(end - trail),
    start: from + m.length,
    end: from + m.length + core.length,
  };
}

const PREFIX = {
  bullet: /^- /,
  numbered: /^\d+\. /,
  quote: /^> /,
} as const;

/**
 * Prefixes every line the selection touches with `- `, `1. `, `2. `… or `> `; when every
 * one already has that prefix, removes it instead.
 */
export function toggleBlock(text: string, start: number, end: number, style: BlockStyle): Edit {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nextBreak = text.indexOf('\n', end > start && text[end - 1] === '\n' ? end - 1 : end);
  const lineEnd = nextBreak === -1 ? text.length : nextBreak;
  const lines = text.slice(lineStart, lineEnd).split('\n');
  const all = lines.every((l) => PREFIX[style].test(l));
  let n = 0;
  const changed = lines.map((l) => {
    if (all) return l.replace(PREFIX[style], '');
    const bare = l.replace(PREFIX.bullet, '').replace(PREFIX.numbered, '').replace(PREFIX.quote, '');
    if (style === 'bullet') return `- ${bare}`;
    if (style === 'quote') return `> ${bare}`;
    n += 1;
    return `${n}. ${bare}`;
  });
  const block = changed.join('\n');
  return { text: text.slice(0, lineStart) + block + text.slice(lineEnd), start: lineStart, end: lineStart + block.length };
}

/** Puts `insert` in place of the selection and the caret after it. */
export function insertAt(text: string, start: number, end: number, insert: string): Edit {
  const caret = start + insert.length;
  return { text: text.slice(0, start) + insert + text.slice(end), start: caret, end: caret };
}
