import { describe, expect, it } from 'vitest';
import { unknownVariables, variablesIn } from './variables';

describe('quick reply variables', () => {
  it('finds each variable once, in order', () => {
    expect(variablesIn('Hi {{contact.name}}, {{ agent.name }} here. Bye {{contact.name}}')).toEqual(['contact.name', 'agent.name']);
  });

  it('names the ones the API would refuse', () => {
    expect(unknownVariables('{{contact.tier}} {{contact.plan}} {{order.id}} {{agent.email}}', ['tier'])).toEqual(['contact.plan', 'order.id']);
  });
});
