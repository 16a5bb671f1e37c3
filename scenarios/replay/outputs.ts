import type { JournalEntry } from '../../emulator/index.js';

/** A resource id (`sipconn_` and 24 characters): equal across runs only when both were seeded alike. */
export const ID = /\b(?:agent|chanconfig|sipconn|fault|call)_[a-z0-9]{24}\b/g;

/**
 * What a run produced that a replay must produce again, as streams: one per connection, call or
 * SIP party and kind, each an ordered list of signatures. Signatures keep ids (matched up by
 * `IdMap`) and drop what differs between two faithful runs: ports, tags and branches, SIP
 * retransmissions and 100 Trying (their number follows the machine's load, not the behaviour).
 */
export interface Output {
  /** `sip listener:sipconn_… `, `status sipconn_…`, `call call_…`: ids in the recording's terms for recorded outputs. */
  stream: string;
  signature: string;
  seq: number;
}

const maskPorts = (text: string) => text.replace(/(127\.0\.0\.1|localhost|\[::1\]):\d+/g, '$1:*').replace(/\bport \d+/g, 'port *');

/**
 * Reads a journal's outputs in order. SIP messages form one stream per party, direction, party at
 * the other end (known by the address it sent from) and CSeq method, because only those have an
 * order that two faithful runs keep: an ACK coming in and a REFER going out have none, nor a
 * proxy's relaying of one party's ACK and another's 202.
 */
export class OutputReader {
  /** Each SIP party's own addresses, as its entries show them: who is at the other end of a message. */
  private readonly parties = new Map<string, string>();

  /** Who sent each message's bytes: over TCP a message leaves from a connection's own port. */
  private readonly senders = new Map<string, string>();
  /**
   * Messages sent to an address no party has shown yet (over TCP, a connection's port), by their
   * bytes: their stream is known once a party records receiving them. Deciding at once would put
   * them in `outside` or not depending on which entry the machine's timing recorded first.
   */
  private readonly unaddressed = new Map<string, Array<{ party: string; method: string; label: string; seq: number }>>();
  private readonly last = new Map<string, string>();

  /** The outputs `entry` completes: its own, and a message sent earlier whose receiver it shows. */
  read(entry: JournalEntry): Output[] {
    if (entry.kind !== 'sip') {
      const output = outputOf(entry);
      return output ? [output] : [];
    }
    this.parties.set(entry.local, entry.party);
    const outputs: Output[] = [];
    if (entry.direction === 'in') {
      const sent = this.unaddressed.get(entry.text)?.shift();
      if (sent) outputs.push(...this.emit(sent.party, '→', entry.party, sent.method, sent.label, sent.seq));
    } else this.senders.set(entry.text, entry.party);
    if (entry.retransmission || entry.status === 100 || entry.error !== undefined) return outputs;
    const method = entry.cseq?.split(' ')[1] ?? entry.method ?? '';
    const label = entry.method ?? `${entry.status} ${method}`;
    if (entry.direction === 'in') {
      // The sender records a message before its receiver does.
      const peer = this.parties.get(entry.remote) ?? this.senders.get(entry.text) ?? 'outside';
      outputs.push(...this.emit(entry.party, '←', peer, method, label, entry.seq));
    } else {
      const peer = this.parties.get(entry.remote);
      if (peer) outputs.push(...this.emit(entry.party, '→', peer, method, label, entry.seq));
      else {
        const waiting = this.unaddressed.get(entry.text) ?? [];
        waiting.push({ party: entry.party, method, label, seq: entry.seq });
        this.unaddressed.set(entry.text, waiting);
      }
    }
    return outputs;
  }

  /** The messages no party recorded receiving, once the run is over: sent to someone outside. */
  flush(): Output[] {
    const outputs = this.unreceived(this.last);
    this.unaddressed.clear();
    return outputs;
  }

  /** What `flush` would give now, for a run still going: a message to an unreachable server stays unreceived. */
  peek(): Output[] {
    return this.unreceived(new Map(this.last));
  }

  private unreceived(last: Map<string, string>): Output[] {
    const left = [...this.unaddressed.values()].flat().sort((a, b) => a.seq - b.seq);
    return left.flatMap((sent) => this.emit(sent.party, '→', 'outside', sent.method, sent.label, sent.seq, last));
  }

  private emit(party: string, arrow: '→' | '←', peer: string, method: string, label: string, seq: number, last = this.last): Output[] {
    const stream = `sip ${party} ${arrow} ${peer} ${method}`;
    // A message again, right after itself (an ACK for a retransmitted 2xx, relayed with a branch of
    // its own): how often follows the machine's timing; it counts once.
    if (last.get(stream) === label) return [];
    last.set(stream, label);
    return [{ stream, signature: label, seq }];
  }
}

/** The output a non-SIP entry stands for, if it is one. API exchanges are compared as responses to inputs, not here. */
function outputOf(entry: JournalEntry): Output | undefined {
  const out = (stream: string, signature: string): Output => ({ stream, signature: maskPorts(signature), seq: entry.seq });
  switch (entry.kind) {
    case 'connection.status':
      return out(`status ${entry.connectionId}`, `${entry.status.lifecycleStatus}/${entry.status.sipStatus}${entry.status.message ? ` ${entry.status.message}` : ''}`);
    case 'connection.error':
      return out(`errors ${entry.connectionId}`, `${entry.error.code ?? ''} ${entry.error.message}`);
    case 'connection.deleted':
      return out(`status ${entry.connectionId}`, 'deleted');
    case 'registration':
      return out(`registration ${entry.connectionId}`, `${entry.phase}${entry.code !== undefined ? ` ${entry.code}` : ''}`);
    case 'call.state':
      return out(`call ${entry.callId}`, `${entry.state} ${entry.from} → ${entry.to}${entry.reason ? ` (${entry.reason})` : ''}`);
    case 'agent.turn':
      // How long the caller spoke is measured on packets as they arrive: a millisecond either way is the machine.
      return out(`agent ${entry.callId}`, entry.said !== undefined ? `said ${entry.said}` : `heard ${(entry.heard ?? '').replace(/\d+ ms/g, '* ms')}`);
    case 'dtmf':
      return out(`dtmf ${entry.callId}`, `${entry.digit} ${entry.method} heard by ${entry.heardBy}`);
    case 'transfer':
      return out(`transfer ${entry.callId}`, `${entry.phase}${entry.status !== undefined ? ` ${entry.status}` : ''} ${entry.target}`);
    case 'pbx.binding':
      return out(`binding ${entry.account}`, `${entry.change} ${entry.transport}`);
    case 'pbx.quirk':
      // Which quirk acted, for whom; its text may name ports and tags the machine chose.
      return out(`quirk ${entry.account ?? 'pbx'}`, entry.quirk);
    case 'fault.fired':
      return out(`fault ${entry.faultId}`, `${entry.action} on ${entry.target}`);
    default:
      return undefined;
  }
}

/**
 * Recorded ids ↔ replayed ids, learnt as outputs and responses are compared: two texts match when
 * they are equal once each recorded id is read as the replayed id it stands for, a new pair being
 * learnt where neither side has one yet.
 */
export class IdMap {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();

  /** The replayed id of a recorded one, or the id itself while none is known (seeded runs share ids). */
  toReplay(text: string): string {
    return text.replace(ID, (id) => this.forward.get(id) ?? id);
  }

  toRecorded(text: string): string {
    return text.replace(ID, (id) => this.backward.get(id) ?? id);
  }

  /** Whether `recorded` and `replayed` say the same thing; learns the id pairs when they do. */
  unify(recorded: string, replayed: string): boolean {
    const a = recorded.split(ID);
    const b = replayed.split(ID);
    if (a.length !== b.length || a.some((part, i) => part !== b[i])) return false;
    const ids = [...recorded.matchAll(ID)].map((m) => m[0]);
    const theirs = [...replayed.matchAll(ID)].map((m) => m[0]);
    const learnt: Array<[string, string]> = [];
    for (let i = 0; i < ids.length; i++) {
      const known = this.forward.get(ids[i]!) ?? learnt.find(([r]) => r === ids[i])?.[1];
      const owner = this.backward.get(theirs[i]!) ?? learnt.find(([, p]) => p === theirs[i])?.[0];
      if (known !== undefined ? known !== theirs[i] : owner !== undefined && owner !== ids[i]) return false;
      if (known === undefined) learnt.push([ids[i]!, theirs[i]!]);
    }
    for (const [r, p] of learnt) {
      this.forward.set(r, p);
      this.backward.set(p, r);
    }
    return true;
  }
}
