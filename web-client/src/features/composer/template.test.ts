import { describe, expect, it } from 'vitest';
import { fillTemplate, missingVariables, variableInputs, variableLabel } from './template';

describe('template variables', () => {
  it('fills positional and named placeholders', () => {
    expect(fillTemplate('Hi {{1}}, order {{2}} ships', { 1: 'Ana', 2: 'A-1' })).toBe('Hi Ana, order A-1 ships');
    expect(fillTemplate('Hi {{ first_name }}!', { first_name: 'Ana' })).toBe('Hi Ana!');
  });

  it('keeps a placeholder without a value visible in the preview', () => {
    expect(fillTemplate('Hi {{1}}, order {{2}}', { 1: 'Ana', 2: '  ' })).toBe('Hi Ana, order {{2}}');
  });

  it('lists what is missing and answers inputs in the template’s order', () => {
    expect(missingVariables(['1', '2'], { 2: 'x' })).toEqual(['1']);
    expect(variableInputs(['2', '1'], { 1: ' a ', 2: 'b' })).toEqual([
      { key: '2', value: 'b' },
      { key: '1', value: 'a' },
    ]);
  });

  it('labels fields for people', () => {
    expect(variableLabel('1')).toBe('Variable 1');
    expect(variableLabel('first_name')).toBe('first name');
  });
});
