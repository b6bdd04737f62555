// Uploads a quick reply's attachment with `POST /media` (bytes as the body, a bearer token);
// the API then names it by id. Refusals come back in GraphQL's error shape.

import type { MediaKind } from '../../../gql/graphql';
import { ApiError, type ApiErrorShape } from '../../../lib/errors';

/** The kind a file goes as: a WebP as a sticker, images, video and audio as such, else a document. */
export function mediaKindFor(mime: string): MediaKind {
  if (mime === 'image/webp') return 'STICKER';
  if (mime.startsWith('image/')) return 'IMAGE';
  if (mime.startsWith('video/')) return 'VIDEO';
  if (mime.startsWith('audio/')) return 'AUDIO';
  return 'DOCUMENT';
}

export async function uploadMedia(file: File, token: string): Promise<{ id: string; contentType: string; filename: string }> {
  let response: Response;
  try {
    response = await fetch(`/media?filename=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
  } catch (cause) {
    throw new ApiError('The server cannot be reached. Check your connection and try again.', 'NETWORK', cause);
  }
  const body = (await response.json().catch(() => null)) as { id?: string; contentType: string; filename: string; errors?: ApiErrorShape[] } | null;
  if (!response.ok || !body?.id) {
    if (body?.errors?.length) throw ApiError.from(body.errors[0]);
    throw new ApiError(`The upload failed (${response.status}).`, 'INTERNAL');
  }
  return { id: body.id, contentType: body.contentType, filename: body.filename };
}
