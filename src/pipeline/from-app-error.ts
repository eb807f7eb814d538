import { CosiflashError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import type { AppError } from '../model/app-error.ts';

/**
 * Rebuilds a throwable {@link CosiflashError} from plain {@link AppError} data that crossed a
 * thread or process boundary. Unknown codes (a newer writer?) become E_INTERNAL, keeping the text.
 */
export function fromAppError(error: AppError): CosiflashError {
  const known = Object.hasOwn(ERROR_CODES, error.code);
  const code: ErrorCode = known ? (error.code as ErrorCode) : 'E_INTERNAL';
  const detail = known ? error.detail : `${error.code}: ${error.detail}`;
  return new CosiflashError(code, detail, { title: error.title, ...(error.hint === undefined ? {} : { hint: error.hint }) });
}
