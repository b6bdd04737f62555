// The reply's one attachment: a file being uploaded to `POST /media` (with its progress and
// a way to cancel), one that is ready to send by its media id, or one that failed.

import { useCallback, useRef, useState } from 'react';
import type { MediaKind } from '../../gql/graphql';
import { describeError } from '../../lib/errors';
import { useSession } from '../../lib/session';
import { mediaKindOf, uploadMedia } from './upload';

export type Attachment = {
  name: string;
  size: number | null;
  kind: MediaKind;
  /** 0..1 while uploading. */
  progress: number;
  state: 'uploading' | 'ready' | 'failed';
  mediaId?: string;
  error?: { message: string; code: string };
};

export function useAttachment() {
  const { accessToken } = useSession();
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const cancelRef = useRef<(() => void) | null>(null);

  const upload = useCallback(
    (file: File) => {
      cancelRef.current?.();
      const kind = mediaKindOf(file.type);
      setAttachment({ name: file.name, size: file.size, kind, progress: 0, state: 'uploading' });
      const handle = uploadMedia(file, accessToken, (progress) =>
        setAttachment((a) => (a && a.state === 'uploading' ? { ...a, progress } : a)),
      );
      cancelRef.current = handle.cancel;
      handle.promise.then(
        (done) => {
          cancelRef.current = null;
          setAttachment((a) => (a ? { ...a, state: 'ready', progress: 1, mediaId: done.id } : a));
        },
        (e: unknown) => {
          cancelRef.current = null;
          const error = describeError(e);
          // A cancel clears the attachment; any other failure stays to be read.
          if (error.code === 'CANCELLED') setAttachment(null);
          else setAttachment((a) => (a ? { ...a, state: 'failed', error } : a));
        },
      );
    },
    [accessToken],
  );

  /** A file already uploaded (a quick reply's), ready to send. */
  const attachUploaded = useCallback((name: string, kind: MediaKind, mediaId: string) => {
    cancelRef.current?.();
    setAttachment({ name, size: null, kind, progress: 1, state: 'ready', mediaId });
  }, []);

  const clear = useCallback(() => {
    cancelRef.current?.();
    cancelRef.current = null;
    setAttachment(null);
  }, []);

  return { attachment, upload, attachUploaded, clear };
}
