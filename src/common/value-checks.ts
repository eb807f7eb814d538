/**
 * Check combinators for data that arrives from outside a process: the IPC payload guards
 * (src/ipc/guards.ts) and the flash request the writer receives (flash-request-check.ts).
 * Pure code, no Node APIs, so every layer above src/model/ may use it.
 *
 * A check returns null when the value is acceptable, or a short "path: rule" problem that
 * becomes the detail of an E_INPUT error. Objects must be plain and carry no unknown keys,
 * so a typo fails loudly instead of being ignored.
 */

/** Returns null when `value` is acceptable, else a problem naming `path`. */
export type Check = (value: unknown, path: string) => string | null;

/** A non-empty string without NUL characters, of at most `maxLength` characters. */
export function text(options: { maxLength: number }): Check {
  return (value, path) => {
    if (typeof value !== 'string') return `${path}: must be a string`;
    if (value.length === 0) return `${path}: must not be empty`;
    if (value.length > options.maxLength) return `${path}: longer than ${options.maxLength} characters`;
    if (value.includes('\0')) return `${path}: must not contain NUL characters`;
    return null;
  };
}

export const flag: Check = (value, path) => (typeof value === 'boolean' ? null : `${path}: must be true or false`);

export function integer(options: { min: number; max: number }): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `${path}: must be an integer`;
    if (value < options.min || value > options.max) return `${path}: must be between ${options.min} and ${options.max}`;
    return null;
  };
}

/** A finite number (fractions allowed) in [min, max]. */
export function finiteNumber(options: { min: number; max: number }): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return `${path}: must be a number`;
    if (value < options.min || value > options.max) return `${path}: must be between ${options.min} and ${options.max}`;
    return null;
  };
}

export function nullable(check: Check): Check {
  return (value, path) => (value === null ? null : check(value, path));
}

export function optional(check: Check): Check {
  return (value, path) => (value === undefined ? null : check(value, path));
}

/** An array of at most `maxItems` values, each passing `check`. */
export function listOf(check: Check, options: { maxItems: number }): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path}: must be a list`;
    if (value.length > options.maxItems) return `${path}: more than ${options.maxItems} items`;
    for (const [index, item] of value.entries()) {
      const problem = check(item, `${path}[${index}]`);
      if (problem !== null) return problem;
    }
    return null;
  };
}

/** Every check in order; the first problem wins. */
export function allOf(...checks: readonly Check[]): Check {
  return (value, path) => {
    for (const check of checks) {
      const problem = check(value, path);
      if (problem !== null) return problem;
    }
    return null;
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A plain object with exactly these keys (optional ones may be missing or undefined). */
export function shape(fields: Readonly<Record<string, Check>>): Check {
  return (value, path) => {
    if (!isPlainObject(value)) return `${path}: must be an object`;
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) return `${path}.${key}: unknown field`;
    }
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(value[key], `${path}.${key}`);
      if (problem !== null) return problem;
    }
    return null;
  };
}

