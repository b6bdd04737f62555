import { Alert, Button, Group, Modal, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutationAction } from '../../../lib/useMutationAction';
import { EraseContact } from './documents';

/** Erasing is for good: the admin types the contact's number to confirm. */
export function EraseContactButton({ contactId, phoneNumber }: { contactId: string; phoneNumber: string }) {
  const [opened, setOpened] = useState(false);
  const [typed, setTyped] = useState('');
  const navigate = useNavigate();
  const [state, erase] = useMutationAction(
    EraseContact,
    (d) => `Contact erased with ${d.eraseContact.conversations} conversations, ${d.eraseContact.messages} messages and ${d.eraseContact.files} files`,
  );
  const close = () => {
    setOpened(false);
    setTyped('');
  };
  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setOpened(true)}>
        Erase
      </Button>
      <Modal opened={opened} onClose={close} title="Erase this contact" closeButtonProps={{ 'aria-label': 'Close' }}>
        <Alert color="red" variant="light" mb="md">
          This deletes the contact with every conversation, message, attempt, note and media file. It cannot be undone.
        </Alert>
        <TextInput
          label={`Type ${phoneNumber} to confirm`}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          autoComplete="off"
          data-autofocus
        />
        <Text size="xs" c="dimmed" mt={4}>
          Refused while one of its messages is being handed to the provider; try again a moment later.
        </Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            color="red"
            disabled={typed.trim() !== phoneNumber}
            loading={state.fetching}
            onClick={async () => {
              if (await erase({ id: contactId })) {
                close();
                navigate('/contacts');
              }
            }}
          >
            Erase for good
          </Button>
        </Group>
      </Modal>
    </>
  );
}
