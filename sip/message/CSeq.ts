import { isToken } from './grammar.js';

const CSEQ = /^(\d{1,10})\s+(\S+)$/;

/** Parses a CSeq value (RFC 3261 §20.16): a 32-bit unsigned sequence number and a method token. */
export function parseCSeq(text: string): { seq: number; method: string } | undefined {
  const match = CSEQ.exec(text.trim());
  if (match === null) return undefined;
  const [, seqText = '', method = ''] = match;
  const seq = Number(seqText);
  if (seq > 0xffffffff || !isToken(method)) return undefined;
  return { seq, method };
}
