// An attachment shown from a blob: URL: GET /media/{id} needs the session's bearer token, so
// the file is fetched here rather than linked (the CSP allows blob: for images and media).

import { Anchor, Group, Image, Loader, Text } from '@mantine/core';
import { IconAlertTriangle, IconFileDownload } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { AttachmentState } from '../../gql/graphql';
import { useSession } from '../../lib/session';

export type AttachmentLike = {
  id: string;
  state: AttachmentState;
  contentType?: string | null;
  filename?: string | null;
  sizeBytes?: number | null;
};

type Loaded = { url: string } | { error: string } | null;

function useMediaBlob(id: string, ready: boolean): Loaded {
  const { accessToken } = useSession();
  const [loaded, setLoaded] = useState<Loaded>(null);
  useEffect(() => {
    if (!ready) return;
    let url: string | null = null;
    let cancelled = false;
    fetch(`/media/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${accessToken}` } })
      .then(async (response) => {
        if (!response.ok) throw new Error(`The file could not be loaded (HTTP ${response.status}).`);
        const blob = await response.blob();
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setLoaded({ url });
      })
      .catch((e: Error) => {
        if (!cancelled) setLoaded({ error: e.message });
      });
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
    // The token renews every few minutes; a fetched file need not be fetched again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, ready]);
  return loaded;
}

function sizeLabel(bytes?: number | null): string {
  if (!bytes) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function MediaPreview({ attachment, kind }: { attachment: AttachmentLike; kind?: string | null }) {
  const ready = attachment.state === 'READY';
  const loaded = useMediaBlob(attachment.id, ready);
  const type = attachment.contentType ?? '';
  const name = attachment.filename || 'attachment';

  if (attachment.state === 'FAILED') {
    return (
      <Group gap={6}>
        <IconAlertTriangle size={16} aria-hidden />
        <Text size="sm">The file could not be fetched from the provider.</Text>
      </Group>
    );
  }
  if (!ready || !loaded) {
    return (
      <Group gap={6}>
        <Loader size="xs" aria-label="Loading the file" />
        <Text size="sm" c="dimmed">
          {ready ? 'Loading the file…' : 'Fetching the file from WhatsApp…'}
        </Text>
      </Group>
    );
  }
  if ('error' in loaded) {
    return (
      <Text size="sm" c="red">
        {loaded.error}
      </Text>
    );
  }
  if (type.startsWith('image/') || kind === 'IMAGE' || kind === 'STICKER') {
    return (
      <Anchor href={loaded.url} target="_blank" rel="noreferrer" aria-label={`Open the image ${name}`}>
        <Image src={loaded.url} alt={`Image from the conversation: ${name}`} maw={280} mah={320} fit="contain" radius="sm" />
      </Anchor>
    );
  }
  if (type.startsWith('audio/') || kind === 'AUDIO') {
    return <audio controls src={loaded.url} aria-label={`Audio message ${name}`} style={{ maxWidth: 280 }} />;
  }
  if (type.startsWith('video/') || kind === 'VIDEO') {
    return <video controls src={loaded.url} aria-label={`Video ${name}`} style={{ maxWidth: 280, maxHeight: 320 }} />;
  }
  return (
    <Anchor href={loaded.url} download={name} size="sm">
      <Group gap={6} wrap="nowrap">
        <IconFileDownload size={18} aria-hidden />
        <span>
          Download {name} {sizeLabel(attachment.sizeBytes) && `(${sizeLabel(attachment.sizeBytes)})`}
        </span>
      </Group>
    </Anchor>
  );
}
