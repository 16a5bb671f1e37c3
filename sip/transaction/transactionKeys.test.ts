import { describe, expect, it } from 'vitest';
import { createResponse, type SipRequest } from '../message/index.js';
import { createAck } from './createAck.js';
import { createCancel } from './createCancel.js';
import { makeInbound } from './fixtures.case.js';
import { clientTransactionKey, responseTransactionKey, serverTransactionKey } from './transactionKeys.js';

const withVia = (request: SipRequest, via: string): SipRequest => {
  const copy = { ...request, headers: request.headers.clone() };
  copy.headers.set('Via', via);
  return copy;
};

describe('transaction matching', () => {
  it('matches a response by top Via branch and CSeq method (RFC 3261 §17.1.3)', () => {
    const invite = makeInbound('INVITE');
    const branch = /branch=([^;]+)/.exec(invite.headers.get('Via') ?? '')?.[1] ?? '';
    expect(responseTransactionKey(createResponse(invite, 180))).toBe(clientTransactionKey(branch, 'INVITE'));
    // A 200 to the CANCEL carries the same branch but belongs to the CANCEL's transaction.
    expect(responseTransactionKey(createResponse(createCancel(invite), 200))).toBe(clientTransactionKey(branch, 'CANCEL'));
  });

  it('matches a request by branch, sent-by and method, with ACK matching its INVITE (§17.2.3)', () => {
    const invite = makeInbound('INVITE', '127.0.0.1:5070');
    const inviteKey = serverTransactionKey(invite);
    expect(inviteKey).toBeDefined();
    expect(serverTransactionKey(createAck(invite, createResponse(invite, 486, undefined, { toTag: 'x' })))).toBe(inviteKey);
    expect(serverTransactionKey(createCancel(invite))).not.toBe(inviteKey);
    expect(serverTransactionKey(createCancel(invite), 'INVITE')).toBe(inviteKey);
  });

  it('tells apart equal branches from different sent-by, and treats a missing port as 5060', () => {
    const a = makeInbound('OPTIONS', '127.0.0.1:5070');
    const via = a.headers.get('Via') ?? '';
    expect(serverTransactionKey(withVia(a, via.replace('127.0.0.1:5070', '127.0.0.3:5070')))).not.toBe(serverTransactionKey(a));
    expect(serverTransactionKey(withVia(a, via.replace('127.0.0.1:5070', '127.0.0.1')))).toBe(serverTransactionKey(withVia(a, via.replace('127.0.0.1:5070', '127.0.0.1:5060'))));
  });

  it('matches a request without a branch by the RFC 2543 rules of §17.2.3 (RFC 4475 §3.4.1)', () => {
    const invite = withVia(makeInbound('INVITE'), 'SIP/2.0/UDP 127.0.0.1:5070');
    const key = serverTransactionKey(invite);
    expect(key).toBeDefined();
    expect(serverTransactionKey(withVia(invite, 'SIP/2.0/UDP 127.0.0.1:5070'))).toBe(key);
    // The ACK for our non-2xx carries our To tag and the same CSeq number: it matches the INVITE.
    expect(serverTransactionKey(createAck(invite, createResponse(invite, 404, undefined, { toTag: 'ours' })))).toBe(key);
    expect(serverTransactionKey(createCancel(invite), 'INVITE')).toBe(key);
    const next = { ...invite, headers: invite.headers.clone() };
    next.headers.set('CSeq', '2 INVITE');
    expect(serverTransactionKey(next)).not.toBe(key);
    expect(serverTransactionKey(withVia(invite, 'SIP/2.0/UDP 127.0.0.9:5070'))).not.toBe(key);
  });

  it('treats a branch that is only the magic cookie, or lacks it, as RFC 2543 (RFC 4475 §3.2.1)', () => {
    const a = withVia(makeInbound('OPTIONS'), 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK');
    const b = withVia(makeInbound('OPTIONS'), 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK');
    // Same empty identifier, different requests (Call-ID): not one transaction.
    expect(serverTransactionKey(a)).toMatch(/^2543\|/);
    expect(serverTransactionKey(a)).not.toBe(serverTransactionKey(b));
    expect(serverTransactionKey(withVia(a, 'SIP/2.0/UDP 127.0.0.1:5070;branch=390skdjuw'))).toMatch(/^2543\|/);
  });
});

describe('createAck and createCancel', () => {
  it('builds the ACK for a non-2xx from the INVITE and the response (§17.1.1.3)', () => {
    const invite = makeInbound('INVITE');
    invite.headers.append('Route', '<sip:proxy.invalid;lr>');
    invite.headers.prepend('Via', 'SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKtop');
    const response = createResponse(invite, 486, undefined, { toTag: 'busy' });
    const ack = createAck(invite, response);
    expect(ack.method).toBe('ACK');
    expect(ack.uri).toBe(invite.uri);
    expect(ack.headers.getAll('Via')).toEqual(['SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKtop']);
    expect(ack.headers.get('To')).toMatch(/;tag=busy$/);
    expect(ack.headers.get('From')).toBe(invite.headers.get('From'));
    expect(ack.headers.get('Call-ID')).toBe(invite.headers.get('Call-ID'));
    expect(ack.headers.get('CSeq')).toBe(`${invite.headers.get('CSeq')?.split(' ')[0]} ACK`);
    expect(ack.headers.getAll('Route')).toEqual(['<sip:proxy.invalid;lr>']);
  });

  it('builds a CANCEL with the INVITE top Via, To without a tag, and the CSeq number (§9.1)', () => {
    const invite = makeInbound('INVITE');
    const cancel = createCancel(invite);
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.headers.getAll('Via')).toEqual([invite.headers.get('Via')]);
    expect(cancel.headers.get('To')).toBe(invite.headers.get('To'));
    expect(cancel.headers.get('CSeq')).toBe(`${invite.headers.get('CSeq')?.split(' ')[0]} CANCEL`);
  });
});
