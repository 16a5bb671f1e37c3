import { describe, expect, it } from 'vitest';
import { reasonPhrase } from './reasonPhrase.js';

describe('reasonPhrase', () => {
  it.each([[100, 'Trying'], [180, 'Ringing'], [200, 'OK'], [202, 'Accepted'], [401, 'Unauthorized'], [407, 'Proxy Authentication Required'], [481, 'Call/Transaction Does Not Exist'], [486, 'Busy Here'], [487, 'Request Terminated'], [503, 'Service Unavailable'], [603, 'Decline']])('%i is %s', (status, phrase) => {
    expect(reasonPhrase(status)).toBe(phrase);
  });

  it('falls back to the class of an unknown code', () => {
    expect(reasonPhrase(299)).toBe('Success');
    expect(reasonPhrase(499)).toBe('Client Error');
    expect(reasonPhrase(699)).toBe('Global Failure');
  });
});
