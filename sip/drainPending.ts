/**
 * Resolves when none of `pending` (client transactions awaiting a final response) is left, or
 * after `ms`, whichever is first. A response may lead to one more request (a challenge answered),
 * so the set is looked at again after each round.
 */
export async function drainPending(pending: ReadonlySet<Promise<unknown>>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired = false;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(() => resolve(void (expired = true)), ms)));
  while (pending.size > 0 && !expired) await Promise.race([Promise.allSettled([...pending]), deadline]);
  clearTimeout(timer);
}
