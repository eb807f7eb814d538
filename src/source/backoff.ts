/**
 * Delay before retry number `attempt` (1-based): exponential backoff with full jitter, i.e. a
 * uniformly random wait in [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))]. Full jitter keeps
 * many clients that failed together from retrying together (AWS Architecture Blog,
 * "Exponential Backoff and Jitter", 2015).
 */
export function backoffDelayMs(attempt: number, options: { baseDelayMs: number; maxDelayMs: number; random?: () => number }): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(exponent, 30));
  const random = options.random ?? Math.random;
  return Math.round(random() * ceiling);
}
