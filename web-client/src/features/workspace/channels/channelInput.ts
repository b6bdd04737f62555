// Turns the channel form's values into the API's create and update inputs. Secrets are
// write-only: an update sends credentials only when the admin chose to replace them.

import type { CreateChannelInput, Provider, UpdateChannelInput } from '../../../gql/graphql';

export type ChannelFormValues = {
  provider: Provider;
  name: string;
  phoneNumber: string;
  sandbox: boolean;
  sandboxJoinCode: string;
  /** Edit only: whether to send new credentials. */
  replaceCredentials: boolean;
  twilioAccountSid: string;
  twilioAuthToken: string;
  twilioApiKeySid: string;
  twilioApiKeySecret: string;
  twilioMessagingServiceSid: string;
  metaPhoneNumberId: string;
  metaBusinessAccountId: string;
  metaAccessToken: string;
  metaAppSecret: string;
};

/** Twilio's shared WhatsApp sandbox number. */
export const SANDBOX_NUMBER = '+14155238886';

export const emptyChannelForm: ChannelFormValues = {
  provider: 'TWILIO',
  name: '',
  phoneNumber: '',
  sandbox: false,
  sandboxJoinCode: '',
  replaceCredentials: true,
  twilioAccountSid: '',
  twilioAuthToken: '',
  twilioApiKeySid: '',
  twilioApiKeySecret: '',
  twilioMessagingServiceSid: '',
  metaPhoneNumberId: '',
  metaBusinessAccountId: '',
  metaAccessToken: '',
  metaAppSecret: '',
};

const orNull = (s: string) => (s.trim() === '' ? undefined : s.trim());

function twilioCredentials(v: ChannelFormValues) {
  return {
    accountSid: v.twilioAccountSid.trim(),
    authToken: orNull(v.twilioAuthToken),
    apiKeySid: orNull(v.twilioApiKeySid),
    apiKeySecret: orNull(v.twilioApiKeySecret),
    messagingServiceSid: orNull(v.twilioMessagingServiceSid),
  };
}

function metaCredentials(v: ChannelFormValues) {
  return {
    accessToken: v.metaAccessToken.trim(),
    appSecret: v.metaAppSecret.trim(),
    phoneNumberId: v.metaPhoneNumberId.trim(),
    businessAccountId: v.metaBusinessAccountId.trim(),
  };
}

export function toCreateInput(v: ChannelFormValues): CreateChannelInput {
  const sandbox = v.provider === 'TWILIO' && v.sandbox;
  return {
    name: v.name.trim(),
    provider: v.provider,
    phoneNumber: sandbox ? SANDBOX_NUMBER : v.phoneNumber.trim(),
    ...(v.provider === 'TWILIO' ? { twilio: twilioCredentials(v) } : { meta: metaCredentials(v) }),
    ...(sandbox ? { sandbox: true, sandboxJoinCode: v.sandboxJoinCode.trim() } : {}),
  };
}

export function toUpdateInput(v: ChannelFormValues, wasSandbox: boolean): UpdateChannelInput {
  const input: UpdateChannelInput = { name: v.name.trim() };
  const sandbox = v.provider === 'TWILIO' && v.sandbox;
  input.phoneNumber = sandbox ? SANDBOX_NUMBER : v.phoneNumber.trim();
  if (v.provider === 'TWILIO') {
    if (sandbox) {
      input.sandbox = true;
      if (v.sandboxJoinCode.trim()) input.sandboxJoinCode = v.sandboxJoinCode.trim();
    } else if (wasSandbox) {
      input.sandbox = false;
    }
  }
  if (v.replaceCredentials) {
    if (v.provider === 'TWILIO') input.twilio = twilioCredentials(v);
    else input.meta = metaCredentials(v);
  }
  return input;
}

/** Field errors before asking the API; the API checks the rest and names the field. */
export function validateChannel(v: ChannelFormValues, creating: boolean): Partial<Record<keyof ChannelFormValues, string>> {
  const errors: Partial<Record<keyof ChannelFormValues, string>> = {};
  if (!v.name.trim()) errors.name = 'Give the channel a name';
  const sandbox = v.provider === 'TWILIO' && v.sandbox;
  if (!sandbox && !/^\+[1-9]\d{6,14}$/.test(v.phoneNumber.trim())) errors.phoneNumber = 'An E.164 number, such as +14155550100';
  if (sandbox && creating && !v.sandboxJoinCode.trim()) errors.sandboxJoinCode = 'The code the Twilio console shows after "join"';
  if (!v.replaceCredentials) return errors;
  if (v.provider === 'TWILIO') {
    if (!v.twilioAccountSid.trim()) errors.twilioAccountSid = 'Required';
    if (creating && !v.twilioAuthToken.trim()) errors.twilioAuthToken = 'Required: Twilio signs webhooks with it';
  } else {
    if (!v.metaPhoneNumberId.trim()) errors.metaPhoneNumberId = 'Required';
    if (!v.metaBusinessAccountId.trim()) errors.metaBusinessAccountId = 'Required';
    if (!v.metaAccessToken.trim()) errors.metaAccessToken = 'Required';
    if (!v.metaAppSecret.trim()) errors.metaAppSecret = 'Required';
  }
  return errors;
}
