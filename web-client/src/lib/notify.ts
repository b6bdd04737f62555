import { notifications } from '@mantine/notifications';
import { describeError } from './errors';

// Mantine's close button has no name of its own; screen readers need one.
const closeButtonProps = { 'aria-label': 'Dismiss notification' };

export function notifyError(error: unknown, title = 'That did not work') {
  const { message, code } = describeError(error);
  notifications.show({ color: 'red', title, message: `${message} (${code})`, autoClose: 8_000, closeButtonProps });
}

export function notifySuccess(message: string) {
  notifications.show({ color: 'teal', message, autoClose: 3_000, closeButtonProps });
}
