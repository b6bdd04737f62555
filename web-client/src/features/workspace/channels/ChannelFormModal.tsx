// Create or edit a channel: one form per provider. Secrets are inputs only; the API never
// gives them back, so editing replaces them explicitly or leaves them as they are.

import { Alert, Button, Group, Modal, PasswordInput, SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconLock } from '@tabler/icons-react';
import type { ChannelsFieldsFragment, Provider } from '../../../gql/graphql';
import { useMutationAction } from '../../../lib/useMutationAction';
import {
  emptyChannelForm,
  SANDBOX_NUMBER,
  toCreateInput,
  toUpdateInput,
  validateChannel,
  type ChannelFormValues,
} from './channelInput';
import { ChannelsCreateMutation, ChannelsUpdateMutation } from './documents';

function initialValues(channel?: ChannelsFieldsFragment): ChannelFormValues {
  if (!channel) return emptyChannelForm;
  return {
    ...emptyChannelForm,
    provider: channel.provider,
    name: channel.name,
    phoneNumber: channel.phoneNumber,
    sandbox: channel.sandbox !== null,
    sandboxJoinCode: '',
    replaceCredentials: false,
    twilioAccountSid: channel.twilio?.accountSid ?? '',
    twilioApiKeySid: channel.twilio?.apiKeySid ?? '',
    twilioMessagingServiceSid: channel.twilio?.messagingServiceSid ?? '',
    metaPhoneNumberId: channel.meta?.phoneNumberId ?? '',
    metaBusinessAccountId: channel.meta?.businessAccountId ?? '',
  };
}

export function ChannelFormModal({
  opened,
  onClose,
  channel,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  /** The channel to edit; none to create one. */
  channel?: ChannelsFieldsFragment;
  onSaved: (channel: ChannelsFieldsFragment) => void;
}) {
  const creating = !channel;
  const form = useForm<ChannelFormValues>({
    initialValues: initialValues(channel),
    validate: (values) => validateChannel(values, creating),
  });
  const [createState, create] = useMutationAction(ChannelsCreateMutation, (d) => `Channel ${d.createChannel.name} created`);
  const [updateState, update] = useMutationAction(ChannelsUpdateMutation, (d) => `Channel ${d.updateChannel.name} saved`);
  const v = form.values;
  const isTwilio = v.provider === 'TWILIO';
  const sandbox = isTwilio && v.sandbox;

  const submit = form.onSubmit(async (values) => {
    if (creating) {
      const data = await create({ input: toCreateInput(values) });
      if (data) {
        onSaved(data.createChannel);
        form.reset();
      }
    } else {
      const data = await update({ id: channel.id, input: toUpdateInput(values, channel.sandbox !== null) });
      if (data) onSaved(data.updateChannel);
    }
  });

  return (
    <Modal opened={opened} onClose={onClose} title={creating ? 'Connect a WhatsApp number' : `Edit ${channel.name}`} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {creating ? (
            <SegmentedControl
              aria-label="Provider"
              data={[
                { value: 'TWILIO', label: 'Twilio' },
                { value: 'META', label: 'Meta Cloud API' },
              ]}
              {...form.getInputProps('provider')}
              onChange={(value) => form.setFieldValue('provider', value as Provider)}
            />
          ) : (
            <Text size="sm" c="dimmed">
              Provider: {isTwilio ? 'Twilio' : 'Meta Cloud API'} (a channel keeps its provider)
            </Text>
          )}
          <TextInput label="Name" placeholder="Support line" required {...form.getInputProps('name')} />
          {isTwilio && (
            <Switch
              label="Twilio sandbox"
              description={`Use Twilio's shared sandbox number ${SANDBOX_NUMBER} for testing`}
              {...form.getInputProps('sandbox', { type: 'checkbox' })}
            />
          )}
          {sandbox ? (
            <TextInput
              label="Sandbox join code"
              description={creating || !channel?.sandbox ? 'As the Twilio console shows it after "join", e.g. plenty-mouse' : `Now: ${channel.sandbox.joinCode}. Leave empty to keep it.`}
              required={creating || !channel?.sandbox}
              {...form.getInputProps('sandboxJoinCode')}
            />
          ) : (
            <TextInput label="Phone number" description="The sender number in E.164 form" placeholder="+14155550100" required {...form.getInputProps('phoneNumber')} />
          )}

          <Alert variant="light" color="gray" icon={<IconLock size={18} />} title="Credentials are write-only">
            Secrets are sealed at rest and never shown again
            {creating ? '.' : `; the current token ends in ${channel.credentialHint}. Replace them only to change them.`}
          </Alert>
          {!creating && (
            <Switch label="Replace credentials" description="New credentials clear the verification until you verify again" {...form.getInputProps('replaceCredentials', { type: 'checkbox' })} />
          )}
          {v.replaceCredentials &&
            (isTwilio ? (
              <>
                <TextInput label="Account SID" placeholder="AC…" required {...form.getInputProps('twilioAccountSid')} />
                <PasswordInput
                  label="Auth token"
                  description={creating ? 'Twilio signs webhooks with it' : 'Leave empty to keep the current one'}
                  required={creating}
                  autoComplete="off"
                  {...form.getInputProps('twilioAuthToken')}
                />
                <Group grow align="flex-start">
                  <TextInput label="API key SID (optional)" placeholder="SK…" {...form.getInputProps('twilioApiKeySid')} />
                  <PasswordInput label="API key secret (optional)" autoComplete="off" {...form.getInputProps('twilioApiKeySecret')} />
                </Group>
                <TextInput label="Messaging service SID (optional)" placeholder="MG…" {...form.getInputProps('twilioMessagingServiceSid')} />
              </>
            ) : (
              <>
                <Group grow align="flex-start">
                  <TextInput label="Phone number ID" required {...form.getInputProps('metaPhoneNumberId')} />
                  <TextInput label="WhatsApp Business Account ID" required {...form.getInputProps('metaBusinessAccountId')} />
                </Group>
                <PasswordInput label="Access token" description="A system user's permanent token" required autoComplete="off" {...form.getInputProps('metaAccessToken')} />
                <PasswordInput label="App secret" description="Meta signs webhooks with it" required autoComplete="off" {...form.getInputProps('metaAppSecret')} />
              </>
            ))}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={createState.fetching || updateState.fetching}>
              {creating ? 'Create channel' : 'Save changes'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
