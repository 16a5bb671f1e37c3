import { describe, expect, it } from 'vitest';
import { fnv1a } from '../../random/index.js';
import { IdentityHash } from './IdentityHash.js';

const SMALL = 0x3fffffff;

describe('IdentityHash', () => {
  it('hashes the parts as FNV-1a hashes the text they make joined by "|", from both bases', () => {
    const text = 'pbx|in|a84b4c76e66710@pc33|314159 INVITE|z9hG4bK776asdhds|INVITE';
    const hash = new IdentityHash().add('pbx').add('in').add('a84b4c76e66710@pc33').add('314159 INVITE').add('z9hG4bK776asdhds').add('INVITE');
    expect(hash.first).toBe(fnv1a(text) & SMALL);
    expect(hash.second).toBe(fnv1a(text, 0x9e3779b9) & SMALL);
  });

  it('writes a status and a missing part as a template literal would', () => {
    const hash = new IdentityHash().add('listener:conn_1').add(200).add(undefined);
    expect(hash.first).toBe(fnv1a('listener:conn_1|200|undefined') & SMALL);
  });

  it('collapses whitespace runs and trims a part fed with addCollapsed, as a CSeq is shown', () => {
    const collapsed = new IdentityHash().add('pbx').addCollapsed(' 1 \t  REGISTER\r\n');
    const plain = new IdentityHash().add('pbx').add('1 REGISTER');
    expect([collapsed.first, collapsed.second]).toEqual([plain.first, plain.second]);
  });

  it('tells apart identities that differ in one part, or only in where the parts split', () => {
    const base = new IdentityHash().add('pbx').add('in').add('call-1');
    expect(new IdentityHash().add('pbx').add('out').add('call-1').first).not.toBe(base.first);
    expect(new IdentityHash().add('pbx').add('inc').add('all-1').first).not.toBe(base.first);
  });

  it('starts over on reset', () => {
    const hash = new IdentityHash().add('something else');
    expect(hash.reset().add('pbx').first).toBe(new IdentityHash().add('pbx').first);
  });
});
