// The API's errors as the UI shows them: the server's message and its `extensions.code`.

import type { CombinedError } from 'urql';

export type ApiErrorShape = { message: string; extensions?: { code?: string } & Record<string, unknown> };

export class ApiError extends Error {
  readonly code: string;
  readonly extensions: Record<string, unknown>;

  constructor(message: string, code: string, cause?: unknown, extensions: Record<string, unknown> = {}) {
    super(message, { cause });
    this.code = code;
    this.extensions = extensions;
  }

  static from(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.message, shape.extensions?.code ?? 'INTERNAL', undefined, shape.extensions ?? {});
  }
}

/** The first error of an urql answer, with its code; network failures read `NETWORK`. */
export function describeError(error: CombinedError | ApiError | Error | unknown): { message: string; code: string } {
  if (error instanceof ApiError) return { message: error.message, code: error.code };
  const combined = error as CombinedError | undefined;
  if (combined && Array.isArray(combined.graphQLErrors) && combined.graphQLErrors.length > 0) {
    const first = combined.graphQLErrors[0];
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL';
    return { message: first.message, code };
  }
  if (combined && combined.networkError) {
    return { message: `The server cannot be reached (${combined.networkError.message}).`, code: 'NETWORK' };
  }
  if (error instanceof Error) return { message: error.message, code: 'INTERNAL' };
  return { message: String(error), code: 'INTERNAL' };
}
