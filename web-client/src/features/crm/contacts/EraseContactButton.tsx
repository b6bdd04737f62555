import { Alert, Button } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useMutationAction } from '../../../lib/useMutationAction';
import { EraseContact } from './documents';

/** Erasing is for good: the admin types the contact's number to confirm. */
export function EraseContactButton({ contactId, phoneNumber }: { contactId: string; phoneNumber: string }) {
  const [opened, setOpened] = useState(false);
  const navigate = useNavigate();
  const [state, erase] = useMutationAction(
    EraseContact,
    (d) => `Contact erased with ${d.eraseContact.conversations} conversations, ${d.eraseContact.messages} messages and ${d.eraseContact.files} files`,
  );
  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setOpened(true)}>
        Erase
      </Button>
      <ConfirmDialog
        opened={opened}
        title="Erase this contact"
        confirmLabel="Erase for good"
        loading={state.fetching}
        typed={{
          value: phoneNumber,
          hint: 'Refused while one of its messages is being handed to the provider; try again a moment later.',
        }}
        onClose={() => setOpened(false)}
        onConfirm={async () => {
          const done = !!(await erase({ id: contactId }));
          if (done) navigate('/contacts');
          return done;
        }}
      >
        <Alert color="red" variant="light">
          This deletes the contact with every conversation, message, attempt, note and media file. It cannot be undone.
        </Alert>
      </ConfirmDialog>
    </>
  );
}
