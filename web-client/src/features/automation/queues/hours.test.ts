import { describe, expect, it } from 'vitest';
import { defaultDraft, describeSpans, draftFromApi, draftToInput, spanProblem } from './hours';

describe('business hours', () => {
  it('groups the API’s flat week by day, sorted, and writes it back the same', () => {
    const api = {
      timeZone: 'Europe/Madrid',
      weekly: [
        { day: 'MONDAY' as const, opens: '15:00', closes: '19:00' },
        { day: 'MONDAY' as const, opens: '09:00', closes: '13:00' },
        { day: 'SATURDAY' as const, opens: '10:00', closes: '00:00' },
      ],
      exceptions: [{ date: '2026-12-25', spans: [] }],
    };
    const draft = draftFromApi(api)!;
    expect(draft.days.MONDAY).toEqual([
      { opens: '09:00', closes: '13:00' },
      { opens: '15:00', closes: '19:00' },
    ]);
    expect(draft.days.SUNDAY).toEqual([]);
    expect(draftToInput(draft)).toEqual({
      timeZone: 'Europe/Madrid',
      weekly: [
        { day: 'MONDAY', opens: '09:00', closes: '13:00' },
        { day: 'MONDAY', opens: '15:00', closes: '19:00' },
        { day: 'SATURDAY', opens: '10:00', closes: '00:00' },
      ],
      exceptions: [{ date: '2026-12-25', spans: [] }],
    });
  });

  it('reads no hours as always open', () => {
    expect(draftFromApi(null)).toBeNull();
  });

  it('starts from office hours on weekdays', () => {
    const draft = defaultDraft('UTC');
    expect(draft.days.FRIDAY).toEqual([{ opens: '09:00', closes: '17:00' }]);
    expect(draft.days.SATURDAY).toEqual([]);
  });

  it('accepts midnight as a closing time and refuses a close before the open', () => {
    expect(spanProblem({ opens: '18:00', closes: '00:00' })).toBeNull();
    expect(spanProblem({ opens: '18:00', closes: '09:00' })).toBe('Closes before it opens');
    expect(spanProblem({ opens: '9', closes: '10:00' })).toBe('Use HH:MM');
    expect(describeSpans([{ opens: '18:00', closes: '00:00' }])).toBe('18:00–24:00');
    expect(describeSpans([])).toBe('Closed');
  });
});
