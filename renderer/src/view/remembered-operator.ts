/**
 * The operator name the Confirm dialog remembers between flashes and restarts (localStorage;
 * a storage that is missing or refuses is treated as empty — the name is a convenience).
 */
const KEY = 'cosiflash.operator';

type NameStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function defaultStorage(): NameStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function loadRememberedOperator(storage: NameStorage | null = defaultStorage()): string {
  try {
    return storage?.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberOperator(name: string, storage: NameStorage | null = defaultStorage()): void {
  try {
    if (name.trim() === '') storage?.removeItem(KEY);
    else storage?.setItem(KEY, name);
  } catch {
    // Not remembered; the flash still carries the name.
  }
}
