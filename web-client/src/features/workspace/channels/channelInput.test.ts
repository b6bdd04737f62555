import { describe, expect, it } from 'vitest';
import { emptyChannelForm, SANDBOX_NUMBER, toCreateInput, toUpdateInput, validateChannel } from './channelInput';

const twilio = { ...emptyChannelForm, name: ' Support ', phoneNumber: '+14155550100', twilioAccountSid: 'AC1', twilioAuthToken: 'tok' };
const meta = {
  ...emptyChannelForm,
  provider: 'META' as const,
  name: 'Meta',
  phoneNumber: '+15550783881',
  metaPhoneNumberId: '1',
  metaBusinessAccountId: '2',
  metaAccessToken: 'EAA',
  metaAppSecret: 's',
};

describe('channel inputs', () => {
  it('sends only the chosen provider’s credentials on create', () => {
    const input = toCreateInput(twilio);
    expect(input).toMatchObject({ name: 'Support', provider: 'TWILIO', twilio: { accountSid: 'AC1', authToken: 'tok' } });
    expect(input.meta).toBeUndefined();
    expect(input.twilio?.apiKeySid).toBeUndefined();
    expect(toCreateInput(meta).twilio).toBeUndefined();
  });

  it('puts a sandbox channel on the sandbox number with its join code', () => {
    const input = toCreateInput({ ...twilio, phoneNumber: '', sandbox: true, sandboxJoinCode: ' plenty-mouse ' });
    expect(input).toMatchObject({ phoneNumber: SANDBOX_NUMBER, sandbox: true, sandboxJoinCode: 'plenty-mouse' });
    // A Meta channel never asks for the sandbox, even if the switch was left on.
    expect(toCreateInput({ ...meta, sandbox: true }).sandbox).toBeUndefined();
  });

  it('leaves secrets out of an update unless they are replaced', () => {
    const kept = toUpdateInput({ ...meta, replaceCredentials: false, metaAccessToken: '' }, false);
    expect(kept.meta).toBeUndefined();
    expect(kept.name).toBe('Meta');
    const replaced = toUpdateInput({ ...meta, replaceCredentials: true }, false);
    expect(replaced.meta).toEqual({ accessToken: 'EAA', appSecret: 's', phoneNumberId: '1', businessAccountId: '2' });
  });

  it('takes a channel off the sandbox explicitly', () => {
    expect(toUpdateInput({ ...twilio, replaceCredentials: false, sandbox: false }, true).sandbox).toBe(false);
    expect(toUpdateInput({ ...twilio, replaceCredentials: false, sandbox: false }, false).sandbox).toBeUndefined();
  });

  it('asks for what the API needs before sending', () => {
    expect(validateChannel({ ...twilio, twilioAuthToken: '' }, true).twilioAuthToken).toBeTruthy();
    // Editing a Twilio channel may keep its auth token.
    expect(validateChannel({ ...twilio, twilioAuthToken: '' }, false).twilioAuthToken).toBeUndefined();
    expect(validateChannel({ ...twilio, phoneNumber: '4155550100' }, true).phoneNumber).toBeTruthy();
    expect(validateChannel({ ...meta, metaAppSecret: '' }, true).metaAppSecret).toBeTruthy();
    expect(validateChannel({ ...meta, metaAppSecret: '', replaceCredentials: false }, false)).toEqual({});
  });
});

describe('how channel facts read', () => {
  it('names office documents and keeps code spans', async () => {
    const { shortMime, codeSpans } = await import('./mime');
    expect(shortMime('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('Word');
    expect(shortMime('image/jpeg')).toBe('jpeg');
    expect(codeSpans('Send `join plenty-mouse` to +1 415')).toEqual([
      { code: false, text: 'Send ' },
      { code: true, text: 'join plenty-mouse' },
      { code: false, text: ' to +1 415' },
    ]);
  });
});
