/**
 * The operator named for a flash (the person at the bench), as the UI sends it in
 * FlashStartRequest.operator and the flash log records it: trimmed, 1–64 printable
 * characters (no control or format characters, so a log line cannot be split or disguised).
 */
export const MAX_OPERATOR_CHARS = 64;

/** The problem with an operator name, or null when it is acceptable (after trimming). */
export function operatorNameProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a name (text)';
  const name = value.trim();
  if (name === '') return 'must not be empty (leave the field out for no operator)';
  if ([...name].length > MAX_OPERATOR_CHARS) return `must be at most ${MAX_OPERATOR_CHARS} characters`;
  if (/\p{C}/u.test(name)) return 'must contain printable characters only (no control characters)';
  return null;
}
