// Business hours as the editor holds them (per day, a list of open intervals) and as the API
// takes them (a flat weekly list of intervals plus dated exceptions).

import type { BusinessHoursInput, Weekday } from '../../../gql/graphql';

export const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

export type Span = { opens: string; closes: string };
export type HoursException = { date: string; spans: Span[] };
export type HoursDraft = {
  timeZone: string;
  days: Record<Weekday, Span[]>;
  exceptions: HoursException[];
};

type ApiHours = {
  timeZone: string;
  weekly: { day: Weekday; opens: string; closes: string }[];
  exceptions: { date: string; spans: Span[] }[];
};

export function dayLabel(day: Weekday): string {
  return day.charAt(0) + day.slice(1).toLowerCase();
}

function emptyDays(): Record<Weekday, Span[]> {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, []])) as unknown as Record<Weekday, Span[]>;
}

/** Office hours, Monday to Friday 09:00–17:00, in the viewer's zone: a sensible start. */
export function defaultDraft(timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone): HoursDraft {
  const days = emptyDays();
  for (const d of WEEKDAYS.slice(0, 5)) days[d] = [{ opens: '09:00', closes: '17:00' }];
  return { timeZone, days, exceptions: [] };
}

export function draftFromApi(hours: ApiHours | null | undefined): HoursDraft | null {
  if (!hours) return null;
  const days = emptyDays();
  for (const w of hours.weekly) days[w.day].push({ opens: w.opens, closes: w.closes });
  for (const d of WEEKDAYS) days[d].sort((a, b) => a.opens.localeCompare(b.opens));
  return {
    timeZone: hours.timeZone,
    days,
    exceptions: hours.exceptions.map((e) => ({ date: e.date, spans: e.spans.map((s) => ({ ...s })) })),
  };
}

export function draftToInput(draft: HoursDraft): BusinessHoursInput {
  return {
    timeZone: draft.timeZone,
    weekly: WEEKDAYS.flatMap((day) => draft.days[day].map((s) => ({ day, opens: s.opens, closes: s.closes }))),
    exceptions: [...draft.exceptions]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((e) => ({ date: e.date, spans: e.spans.map((s) => ({ opens: s.opens, closes: s.closes })) })),
  };
}

/** A problem the editor can see before asking the API (which checks again), or null. */
export function spanProblem(span: Span): string | null {
  if (!/^\d{2}:\d{2}$/.test(span.opens) || !/^\d{2}:\d{2}$/.test(span.closes)) return 'Use HH:MM';
  // 00:00 closing is midnight at the end of the day.
  if (span.closes !== '00:00' && span.closes <= span.opens) return 'Closes before it opens';
  return null;
}

/** `Mon–Fri 09:00–17:00` style summary of one day's intervals. */
export function describeSpans(spans: Span[]): string {
  if (spans.length === 0) return 'Closed';
  return spans.map((s) => `${s.opens}–${s.closes === '00:00' ? '24:00' : s.closes}`).join(', ');
}
