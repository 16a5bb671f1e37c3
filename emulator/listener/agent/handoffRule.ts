/**
 * When does a caller's utterance ask for a human? The agent has no language model here, so the
 * rule is a documented keyword match (README, "The agent's behaviour"):
 * - the built-in words: human, person, operator, representative, someone, "real person",
 *   "live agent", "an agent", "a real", manager, supervisor;
 * - plus the terms the `transferDescription` names: words in quotes ("billing"), and the word after
 *   "asks for", "asks to speak to", "wants", "requests" (e.g. "asks for a manager" adds "manager").
 */
const builtIn = ['human', 'person', 'people', 'operator', 'representative', 'someone', 'somebody', 'real person', 'live agent', 'an agent', 'manager', 'supervisor'];

const articles = /^(a|an|the|to|speak|talk|with)$/i;

export function handoffTerms(transferDescription: string | undefined): string[] {
  const terms = new Set(builtIn);
  if (!transferDescription) return [...terms];
  for (const match of transferDescription.matchAll(/["“'‘]([^"”'’]{2,40})["”'’]/g)) terms.add(match[1]!.toLowerCase().trim());
  for (const match of transferDescription.matchAll(/\b(?:asks? for|asks? to (?:speak|talk) (?:to|with)|wants?|requests?)\s+((?:\w+\s+){0,3}\w+)/gi)) {
    const word = match[1]!.split(/\s+/).find((w) => !articles.test(w));
    if (word && word.length > 2) terms.add(word.toLowerCase());
  }
  return [...terms];
}

/** True when the utterance contains one of the terms as whole words (case-insensitive). */
export function asksForHuman(utterance: string, terms: string[]): boolean {
  const text = ` ${utterance.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  return terms.some((term) => text.includes(` ${term.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `));
}
