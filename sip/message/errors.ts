/**
 * Parser error templates. Each text becomes the reason phrase of a 400, so it names what is wrong
 * in the peer's message in a few words.
 */
export const parseErrors = {
  empty: () => 'Empty message',
  tooLarge: (bytes: number, limit: number) => `Message too large: ${bytes} bytes (limit ${limit})`,
  tooManyHeaderLines: (limit: number) => `Too many header lines (limit ${limit})`,
  headerLineTooLong: (limit: number) => `Header line too long (limit ${limit} bytes)`,
  malformedStartLine: () => 'Malformed start line',
  malformedRequestLine: () => 'Malformed request line',
  requestLineExtraSpace: () => 'Malformed Request-Line: more than one SP between elements',
  requestLineTrailingSpace: () => 'Malformed Request-Line: whitespace after the SIP version',
  requestLineSpaceInUri: () => 'Malformed Request-Line: whitespace inside the Request-URI',
  versionNotSupported: (version: string) => `Version Not Supported: ${clip(version)}`,
  requestUriInBrackets: () => 'Bad Request-URI: enclosed in <>',
  requestUriHeaders: () => 'Bad Request-URI: escaped headers are not allowed',
  badVersion: (version: string) => `Bad SIP version: ${clip(version)}`,
  badStatus: (status: string) => `Bad status code: ${clip(status)}`,
  badMethod: (method: string) => `Bad method: ${clip(method)}`,
  badRequestUri: (uri: string) => `Bad Request-URI: ${clip(uri)}`,
  noColon: (line: number) => `Malformed header line ${line}: no colon`,
  badHeaderName: (line: number) => `Malformed header line ${line}: bad header name`,
  bareCr: (line: number) => `Malformed header line ${line}: bare CR`,
  orphanContinuation: () => 'Malformed header: continuation line before any header',
  missingHeader: (name: string) => `Missing ${name} header`,
  missingHeaders: (names: readonly string[]) => (names.length === 1 ? `Missing ${names[0]} header` : `Missing ${names.join(', ')} headers`),
  duplicateHeader: (name: string) => `Multiple ${name} headers`,
  badHeader: (name: string, defect?: string) => (defect === undefined ? `Bad ${name} header` : `Bad ${name} header: ${defect}`),
  badCSeq: (value: string) => `Bad CSeq: ${clip(value)}`,
  cseqMethodMismatch: (cseqMethod: string, method: string) =>
    `Bad CSeq: method ${clip(cseqMethod)} does not match request method ${clip(method)}`,
  badMaxForwards: (value: string) => `Bad Max-Forwards: ${clip(value)}`,
  badContentLength: (value: string) => `Bad Content-Length: ${clip(value)}`,
  contentLengthTooLarge: () => 'Content-Length larger than body',
} as const;

/** Peer text quoted in an error is cut short: it ends up in a reason phrase and in logs. */
function clip(text: string): string {
  const printable = text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}...` : printable;
}
