/**
 * What a ladder shows of a message body, in the manner of sngrep: for SDP the first codec and the
 * media address (`PCMU 127.0.0.1:40002`, `sendonly` when on hold); for a NOTIFY's sipfrag its
 * status line. Undefined when the message has no body worth a line.
 */
export function bodySummary(text: string): string | undefined {
  const split = text.search(/\r?\n\r?\n/);
  if (split === -1) return undefined;
  const body = text.slice(split).trim();
  if (!body) return undefined;
  const type = /^(?:content-type|c)\s*:\s*([^\s;]+)/im.exec(text.slice(0, split))?.[1]?.toLowerCase();
  if (type === 'message/sipfrag') return body.split(/\r?\n/, 1)[0];
  if (type !== 'application/sdp') return undefined;
  const lines = body.split(/\r?\n/);
  const media = lines.find((l) => l.startsWith('m=audio '));
  if (!media) return undefined;
  const [, port, , ...formats] = media.slice(2).split(' ');
  const address = [...lines].reverse().find((l) => l.startsWith('c='))?.split(' ')[2];
  const rtpmap = new Map(lines.filter((l) => l.startsWith('a=rtpmap:')).map((l) => {
    const [pt, name] = l.slice('a=rtpmap:'.length).split(' ');
    return [pt, name?.split('/')[0]] as const;
  }));
  const staticNames: Record<string, string> = { '0': 'PCMU', '8': 'PCMA', '9': 'G722', '18': 'G729' };
  const codecs = formats.map((f) => rtpmap.get(f) ?? staticNames[f] ?? f).filter((name) => name !== 'telephone-event');
  const direction = lines.find((l) => /^a=(sendonly|recvonly|inactive)$/.test(l))?.slice(2);
  return `${codecs[0] ?? '?'}${codecs.length > 1 ? ` (+${codecs.length - 1})` : ''} ${address ?? '?'}:${port}${direction ? ` ${direction}` : ''}`;
}
