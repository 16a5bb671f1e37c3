import { describe, expect, it } from 'vitest';
import { closest, parseCommandArgs, UsageError } from './args.js';

const options = { 'api-port': { type: 'string' }, 'sip-port': { type: 'string' }, clock: { type: 'string' }, 'no-sip': { type: 'boolean' } } as const;
const usage = (argv: string[]) => {
  try {
    parseCommandArgs(argv, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  return 'no error';
};

describe('parseCommandArgs', () => {
  it('suggests the option a mistyped one was meant to be', () => {
    expect(usage(['--api-prot', '4010'])).toBe('unknown option --api-prot; did you mean --api-port?');
    expect(usage(['--clok', 'virtual'])).toBe('unknown option --clok; did you mean --clock?');
    expect(usage(['--no-si'])).toBe('unknown option --no-si; did you mean --no-sip?');
    expect(usage(['--verbose'])).toBe('unknown option --verbose; the options are --api-port, --sip-port, --clock, --no-sip, --help');
  });

  it('says what a missing or unwanted value needs, with balanced quotes', () => {
    expect(usage(['--api-port'])).toBe('--api-port needs a value, e.g. --api-port <value>');
    expect(usage(['--no-sip=yes'])).toBe('--no-sip takes no value (it is a switch): leave out what follows the =');
  });

  it('takes a negative number after an option as its value (a priority, a seed), and says how to give other values that start with a dash', () => {
    expect(parseCommandArgs(['--clock', '-10', '--no-sip'], options).values).toEqual({ clock: '-10', 'no-sip': true });
    expect(parseCommandArgs(['--clock=-2.5'], options).values).toEqual({ clock: '-2.5' });
    // After a switch a negative number is not its value, and something else starting with a dash is still an option.
    expect(usage(['--no-sip', '-10'])).toMatch(/^unknown option -1/);
    expect(usage(['--clock', '-x'])).toBe('--clock needs a value; one that starts with a dash is written --clock=<value>');
  });

  it('finds the nearest option, or none when nothing is near', () => {
    expect(closest('sip-prot', ['api-port', 'sip-port'])).toBe('sip-port');
    expect(closest('zzz', ['api-port', 'sip-port'])).toBeUndefined();
  });
});
