// How WhatsApp shows a text: its inline markers (*bold*, _italic_, ~strike~, ```mono```,
// `code`) and its block prefixes (lists, quotes), parsed for the composer's previews.

export type Span =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'strike'; children: Span[] }
  | { kind: 'mono' | 'code'; text: string };

export type Line =
  | { kind: 'para'; spans: Span[] }
  | { kind: 'bullet' | 'quote'; spans: Span[] }
  | { kind: 'numbered'; n: string; spans: Span[] };

const STYLE: Record<string, 'bold' | 'italic' | 'strike'> = { '*': 'bold', _: 'italic', '~': 'strike' };

/** A marker counts only next to the start or end, a space or punctuation. */
function boundary(ch: string | undefined): boolean {
  return ch === undefined || /[\s\p{P}\p{S}]/u.test(ch);
}

function closing(s: string, from: number, marker: string): number {
  for (let j = from; j < s.length; j += 1) {
    if (s[j] === '\n') return -1;
    if (s.startsWith(marker, j) && !/\s/.test(s[j - 1]) && boundary(s[j + marker.length])) return j;
  }
  return -1;
}

export function parseInline(s: string): Span[] {
  const out: Span[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('```', i)) {
      const j = s.indexOf('```', i + 3);
      if (j > i + 3) {
        flush();
        out.push({ kind: 'mono', text: s.slice(i + 3, j) });
        i = j + 3;
        continue;
      }
    }
    const ch = s[i];
    const opens = (ch in STYLE || ch === '`') && boundary(s[i - 1]) && s[i + 1] !== undefined && !/\s/.test(s[i + 1]);
    if (opens) {
      const j = closing(s, i + 1, ch);
      if (j > i + 1) {
        flush();
        const inner = s.slice(i + 1, j);
        out.push(ch === '`' ? { kind: 'code', text: inner } : { kind: STYLE[ch], children: parseInline(inner) });
        i = j + 1;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  flush();
  return out;
}

export function parseLines(text: string): Line[] {
  return text.split('\n').map((line): Line => {
    let m = /^[-*] (.*)$/.exec(line);
    if (m) return { kind: 'bullet', spans: parseInline(m[1]) };
    m = /^(\d+)\. (.*)$/.exec(line);
    if (m) return { kind: 'numbered', n: m[1], spans: parseInline(m[2]) };
    m = /^> (.*)$/.exec(line);
    if (m) return { kind: 'quote', spans: parseInline(m[1]) };
    return { kind: 'para', spans: parseInline(line) };
  });
}
