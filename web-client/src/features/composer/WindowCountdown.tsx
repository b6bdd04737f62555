import { Badge, Tooltip } from '@mantine/core';
import { IconClock } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { formatDateTime, remaining } from '../../lib/time';

/** How long free text may still be sent: the 24-hour window's countdown. */
export function WindowCountdown({ expiresAt }: { expiresAt?: string | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!expiresAt) return;
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [expiresAt]);
  const left = remaining(expiresAt, now);
  if (!expiresAt || !left) return null;
  // The last hour is the one to hurry in.
  const soon = new Date(expiresAt).getTime() - now < 3_600_000;
  return (
    <Tooltip label={`The 24-hour window closes at ${formatDateTime(expiresAt)}`}>
      <Badge variant="light" color={soon ? 'orange' : 'gray'} leftSection={<IconClock size={12} />} style={{ textTransform: 'none' }}>
        Window closes in {left}
      </Badge>
    </Tooltip>
  );
}
