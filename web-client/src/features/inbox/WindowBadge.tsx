// The 24-hour customer service window with a live countdown; closed, it says only templates
// may go out.

import { Badge, Tooltip } from '@mantine/core';
import { IconClockHour4, IconLockSquare } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { formatDateTime, remaining } from '../../lib/time';

export function WindowBadge({ expiresAt, compact = false }: { expiresAt: string | null | undefined; compact?: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!expiresAt) return;
    const timer = setInterval(() => setNow(Date.now()), compact ? 30_000 : 1_000);
    return () => clearInterval(timer);
  }, [expiresAt, compact]);
  const left = remaining(expiresAt, now);
  if (!left) {
    return (
      <Tooltip label={expiresAt ? `Closed at ${formatDateTime(expiresAt)}: only templates may be sent` : 'The customer has not written yet'}>
        <Badge color="red" variant="light" leftSection={<IconLockSquare size={12} aria-hidden />} data-testid="window-state" tt={compact ? undefined : 'none'}>
          {compact ? 'Closed' : 'Window closed'}
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Tooltip label={`Free-form replies until ${formatDateTime(expiresAt)}`}>
      <Badge color="green" variant="light" leftSection={<IconClockHour4 size={12} aria-hidden />} data-testid="window-state" tt={compact ? undefined : 'none'}>
        {compact ? left.replace(/ \d+s$/, '') : `Window open · ${left} left`}
      </Badge>
    </Tooltip>
  );
}
