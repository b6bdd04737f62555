import { notifications } from '@mantine/notifications';
import { describeError } from './errors';

// The close button's name for screen readers (Mantine leaves it unnamed).
const dismiss = { 'aria-label': 'Dismiss notification' };

export function notifyError(error: unknown, title = 'That did not work') {
  const { message, code } = describeError(error);
  notifications.show({ color: 'red', title, message: `${message} (${code})`, autoClose: 8_000, closeButtonProps: dismiss });
}

export function notifySuccess(message: string) {
  notifications.show({ color: 'teal', message, autoClose: 3_000, closeButtonProps: dismiss });
}
