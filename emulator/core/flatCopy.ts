/**
 * A copy of `text` that refers to nothing else, for a string an entry keeps (a journal identity, a
 * shared path). A concatenation of slices of a request is kept by V8 as a tree over the request's
 * text; slicing a concatenation makes V8 write it out flat first, and the slice then refers to that
 * flat copy alone. The twin of sip/message/grammar.ts's, for layers that must not load the SIP layer.
 */
export function flatCopy(text: string): string {
  return ` ${text}`.slice(1);
}
