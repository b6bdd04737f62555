// Uploads a file to `POST /media` (src/http/media.rs) with progress: fetch cannot report
// upload progress, XMLHttpRequest can. The server answers its own errors as
// `{ errors: [{ message, extensions: { code } }] }`, which reject as an ApiError.

import { ApiError } from '../../lib/errors';
import type { MediaKind } from '../../gql/graphql';

export type Uploaded = { id: string; contentType: string; sizeBytes: number; filename: string | null };

export type UploadHandle = { promise: Promise<Uploaded>; cancel: () => void };

export function uploadMedia(file: File, token: string, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Uploaded>((resolve, reject) => {
    xhr.open('POST', `/media?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // A proxy's HTML error page: the status says enough.
      }
      if (xhr.status === 201 && body && typeof body === 'object' && 'id' in body) {
        onProgress(1);
        resolve(body as Uploaded);
        return;
      }
      const first = (body as { errors?: { message: string; extensions?: { code?: string } }[] } | null)?.errors?.[0];
      reject(
        first
          ? ApiError.from(first)
          : new ApiError(`The upload failed (HTTP ${xhr.status}).`, xhr.status === 413 ? 'BAD_USER_INPUT' : 'INTERNAL'),
      );
    };
    xhr.onerror = () => reject(new ApiError('The server cannot be reached.', 'NETWORK'));
    xhr.onabort = () => reject(new ApiError('The upload was cancelled.', 'CANCELLED'));
    xhr.send(file);
  });
  return { promise, cancel: () => xhr.abort() };
}

/** The kind WhatsApp sends a file as, from its type. */
export function mediaKindOf(contentType: string): MediaKind {
  if (contentType === 'image/webp') return 'STICKER';
  if (contentType.startsWith('image/')) return 'IMAGE';
  if (contentType.startsWith('video/')) return 'VIDEO';
  if (contentType.startsWith('audio/')) return 'AUDIO';
  return 'DOCUMENT';
}
