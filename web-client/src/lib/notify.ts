import { notifications } from '@mantine/notifications';
import { describeError } from './errors';

// The close button's name for screen readers (Mantine leaves it unnamed).
const CLOSE = { 'aria-label': 'Dismiss' };

export function notifyError(error: unknown, title = 'That did not work') {
  const { message, code } = describeError(error);
  notifications.show({ color: 'red', title, message: `${message} (${code})`, autoClose: 8_000, closeButtonProps: CLOSE });
}

export function notifySuccess(message: string) {
  notifications.show({ color: 'teal', message, autoClose: 3_000, closeButtonProps: CLOSE });
}
