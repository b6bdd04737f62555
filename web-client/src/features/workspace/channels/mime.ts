const NAMES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/msword': 'Word (.doc)',
  'application/vnd.ms-excel': 'Excel (.xls)',
  'application/vnd.ms-powerpoint': 'PowerPoint (.ppt)',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'text/plain': 'text',
};

/** A MIME type as people read it: `PDF`, `Word`, `jpeg`. */
export function shortMime(mime: string): string {
  return NAMES[mime] ?? mime.split('/').pop() ?? mime;
}

/** Splits the API's instructions on `code` spans, so they can be shown as code. */
export function codeSpans(text: string): { code: boolean; text: string }[] {
  return text
    .split(/(`[^`]+`)/)
    .filter(Boolean)
    .map((part) => (part.startsWith('`') && part.endsWith('`') && part.length > 1 ? { code: true, text: part.slice(1, -1) } : { code: false, text: part }));
}
