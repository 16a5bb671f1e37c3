import type { FaultRule, FaultRuleCreate } from '../generated/index.js';
import type { Random } from '../../random/index.js';
import type { Ids } from './ids.js';

export type FaultMatch = FaultRule['match'];
export type FaultAction = FaultRule['action'];

/** What a fault check describes: the thing about to happen, which a rule may change. */
export type FaultSubject =
  | { target: 'api'; operation: string; method: string; path: string; apiKey: string | undefined }
  | { target: 'lifecycle'; event: 'provisioning' | 'running'; connectionId: string }
  | { target: 'sip'; method: string; account?: string; connectionId?: string; direction: 'in' | 'out' }
  | { target: 'rtp'; connectionId: string; direction: 'toAgent' | 'fromAgent' };

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function matches(match: FaultMatch, subject: FaultSubject): boolean {
  if (match.target !== subject.target) return false;
  switch (subject.target) {
    case 'api': {
      const m = match as Extract<FaultMatch, { target: 'api' }>;
      return (
        (m.operation === undefined || m.operation === subject.operation) &&
        (m.method === undefined || m.method.toUpperCase() === subject.method.toUpperCase()) &&
        (m.path === undefined || globToRegExp(m.path).test(subject.path)) &&
        (m.apiKey === undefined || m.apiKey === subject.apiKey)
      );
    }
    case 'lifecycle': {
      const m = match as Extract<FaultMatch, { target: 'lifecycle' }>;
      return m.event === subject.event && (m.connectionId === undefined || m.connectionId === subject.connectionId);
    }
    case 'sip': {
      const m = match as Extract<FaultMatch, { target: 'sip' }>;
      return (
        (m.method === undefined || m.method.toUpperCase() === subject.method.toUpperCase()) &&
        (m.account === undefined || m.account === subject.account) &&
        (m.connectionId === undefined || m.connectionId === subject.connectionId) &&
        // A rule without a direction means what the PBX receives, as before `out` existed.
        (m.direction ?? 'in') === subject.direction
      );
    }
    case 'rtp': {
      const m = match as Extract<FaultMatch, { target: 'rtp' }>;
      return (m.connectionId === undefined || m.connectionId === subject.connectionId) && (m.direction === undefined || m.direction === subject.direction);
    }
  }
}

/**
 * Fault rules are data (DESIGN.md): a match, an action, how many `times`, with what
 * `probability`. The API, the lifecycle and the PBX all ask the same rules.
 */
export class FaultRules {
  private rules: FaultRule[] = [];
  private readonly listeners = new Set<(rule: FaultRule) => void>();
  private readonly changeWatchers = new Set<(rules: FaultRule[]) => void>();

  /**
   * @param random probabilities draw from it (seeded, so a lossy run repeats)
   * @param onFired told of every hit, wherever the rule acts (the journal records it)
   */
  constructor(
    private readonly random: Random,
    private readonly ids: Ids,
    private readonly onFired: (rule: FaultRule, subject: FaultSubject) => void = () => undefined,
  ) {}

  add(create: FaultRuleCreate): FaultRule {
    const rule: FaultRule = {
      id: this.ids.next('fault'),
      ...create,
      hits: 0,
      remaining: create.times ?? null,
    };
    this.rules.push(rule);
    this.changed();
    for (const listener of this.listeners) listener(rule);
    return structuredClone(rule);
  }

  /** Puts back saved rules as they were (ids, hits, remaining), after the current ones. */
  restore(rules: readonly FaultRule[]): void {
    this.rules.push(...structuredClone(rules as FaultRule[]));
    this.changed();
  }

  /** Calls `watcher` with every rule after each add, removal (a used-up rule's too), clear and use of a rule with `times`; returns the unsubscribe function. */
  onChange(watcher: (rules: FaultRule[]) => void): () => void {
    this.changeWatchers.add(watcher);
    return () => this.changeWatchers.delete(watcher);
  }

  private changed(): void {
    if (this.changeWatchers.size === 0) return;
    const rules = this.list();
    for (const watcher of this.changeWatchers) watcher(rules);
  }

  list(): FaultRule[] {
    return structuredClone(this.rules);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    if (this.rules.length === before) return false;
    this.changed();
    return true;
  }

  clear(): void {
    this.rules = [];
    this.changed();
  }

  /** Called with each new rule, e.g. so that a crash rule hits listeners that are already running. */
  onAdded(listener: (rule: FaultRule) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The action of the first rule that matches and fires (among rules with one of `actions`, if given) (its probability drawn from the seeded
   * source), counting the hit; `undefined` when none does. A rule whose `times` are used up is removed.
   */
  check(subject: FaultSubject, actions?: ReadonlyArray<FaultAction['type']>): { rule: FaultRule; action: FaultAction } | undefined {
    for (const rule of this.rules) {
      if (actions && !actions.includes(rule.action.type)) continue;
      if (!matches(rule.match, subject)) continue;
      const probability = rule.probability ?? 1;
      if (probability < 1 && this.random() >= probability) continue;
      rule.hits += 1;
      if (rule.remaining !== null && rule.remaining !== undefined) {
        rule.remaining -= 1;
        // A rule's remaining times are state (a restart must not give them back); its hit count alone is not.
        if (rule.remaining <= 0) this.remove(rule.id);
        else this.changed();
      }
      const fired = structuredClone(rule);
      this.onFired(fired, subject);
      return { rule: fired, action: rule.action };
    }
    return undefined;
  }

  /** Whether any rule could match this kind of subject, with one of `actions` if given (cheap pre-check for hot paths). */
  hasRulesFor(target: FaultSubject['target'], actions?: ReadonlyArray<FaultAction['type']>): boolean {
    return this.rules.some((r) => r.match.target === target && (!actions || actions.includes(r.action.type)));
  }
}
