/** Connections by id and whether each is Running/online now, from `connection.status` entries. */
export class OnlineCounter {
  private readonly online = new Set<string>();

  /** Applies one entry of the event stream (its `data:` JSON). */
  apply(entry: { connectionId?: string; status?: { lifecycleStatus?: string; sipStatus?: string | null } }): void {
    if (entry.connectionId === undefined || entry.status === undefined) return;
    if (entry.status.lifecycleStatus === 'Running' && entry.status.sipStatus === 'online') this.online.add(entry.connectionId);
    else this.online.delete(entry.connectionId);
  }

  get count(): number {
    return this.online.size;
  }
}

/**
 * Reads `text/event-stream` chunks and hands each event's `data:` JSON to `onData`. Events are
 * separated by a blank line; a chunk may end mid-event, so the rest waits for the next chunk.
 */
export class SseReader {
  private buffered = '';

  constructor(private readonly onData: (event: string, data: unknown) => void) {}

  push(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\n\n')) !== -1) {
      const block = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data !== '') this.onData(event, JSON.parse(data));
    }
  }
}
