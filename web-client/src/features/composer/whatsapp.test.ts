import { describe, expect, it } from 'vitest';
import { parseInline, parseLines } from './whatsapp';

describe('WhatsApp formatting', () => {
  it('reads bold, italic, strike and monospace, nested', () => {
    expect(parseInline('a *b _c_* ~d~ ```e*f*```')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'bold', children: [{ kind: 'text', text: 'b ' }, { kind: 'italic', children: [{ kind: 'text', text: 'c' }] }] },
      { kind: 'text', text: ' ' },
      { kind: 'strike', children: [{ kind: 'text', text: 'd' }] },
      { kind: 'text', text: ' ' },
      { kind: 'mono', text: 'e*f*' },
    ]);
  });

  it('leaves markers that WhatsApp would not format as text', () => {
    expect(parseInline('2 * 3 * 4')).toEqual([{ kind: 'text', text: '2 * 3 * 4' }]);
    expect(parseInline('snake_case_name')).toEqual([{ kind: 'text', text: 'snake_case_name' }]);
    expect(parseInline('*open')).toEqual([{ kind: 'text', text: '*open' }]);
  });

  it('reads lists and quotes line by line', () => {
    expect(parseLines('- a\n2. b\n> c\nd').map((l) => l.kind)).toEqual(['bullet', 'numbered', 'quote', 'para']);
  });
});
