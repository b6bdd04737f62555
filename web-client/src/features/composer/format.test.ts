import { describe, expect, it } from 'vitest';
import { insertAt, toggleBlock, toggleInline } from './format';

describe('toggleInline', () => {
  it('wraps the selection and keeps it selected inside the markers', () => {
    const text = 'ship it today';
    const edit = toggleInline(text, 8, 13, 'bold');
    expect(edit.text).toBe('ship it *today*');
    expect(edit.text.slice(edit.start, edit.end)).toBe('today');
  });

  it('unwraps a selection already inside the markers, or including them', () => {
    expect(toggleInline('ship it *today*', 9, 14, 'bold').text).toBe('ship it today');
    expect(toggleInline('ship it _today_', 8, 15, 'italic').text).toBe('ship it today');
  });

  it('leaves spaces around the selection outside the markers, which WhatsApp needs', () => {
    expect(toggleInline('a  big  deal', 1, 8, 'strike').text).toBe('a  ~big~  deal');
  });

  it('gives an empty selection a pair with the caret between', () => {
    const edit = toggleInline('Hi ', 3, 3, 'mono');
    expect(edit.text).toBe('Hi ``````');
    expect(edit.start).toBe(6);
    expect(edit.end).toBe(6);
  });
});

describe('toggleBlock', () => {
  it('numbers every line the selection touches', () => {
    const text = 'Steps:\nopen the app\ntap Orders\nsee the status';
    const edit = toggleBlock(text, 10, 30, 'numbered');
    expect(edit.text).toBe('Steps:\n1. open the app\n2. tap Orders\nsee the status');
  });

  it('turns a numbered list into bullets, and bullets off again', () => {
    const bullets = toggleBlock('1. a\n2. b', 0, 9, 'bullet').text;
    expect(bullets).toBe('- a\n- b');
    expect(toggleBlock(bullets, 0, bullets.length, 'bullet').text).toBe('a\nb');
  });

  it('quotes the caret’s line', () => {
    expect(toggleBlock('first\nsecond', 8, 8, 'quote').text).toBe('first\n> second');
  });
});

describe('insertAt', () => {
  it('replaces the selection and puts the caret after the insert', () => {
    expect(insertAt('Hello world', 6, 11, '🚀')).toEqual({ text: 'Hello 🚀', start: 8, end: 8 });
  });
});
