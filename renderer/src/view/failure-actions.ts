/**
 * Who is at fault for a failed flash, and what to do next: one pure mapping from an error
 * code to the party at fault (the image, the disk, the network, this computer, the user or
 * Cosiflash itself), a sentence saying so, and the next actions, the first being the one the
 * Done screen offers as its main button. "Flash another disk" is never offered for a fault
 * of the image: another disk would fail the same way.
 */
export type Fault = 'image' | 'disk' | 'network' | 'computer' | 'user' | 'app';

export type FailureActionId =
  /** Check the whole image (`cosiflash verify`) to see what is wrong with it. */
  | 'verify-image'
  /** Back to Source for another image. */
  | 'choose-another-image'
  /** Inspect the same location again and show Review (the image changed since it was reviewed). */
  | 'review-again'
  /** Target with a fresh disk list, preferring a disk other than the one that failed. */
  | 'try-another-disk'
  /** Target with a fresh disk list and no disk highlighted from before (the disk changed). */
  | 'choose-disk-again'
  /** The same image to the same disk again, through the Confirm dialog. */
  | 'try-again';

export interface FailureAction {
  readonly id: FailureActionId;
  readonly label: string;
}

export interface FailureGuidance {
  readonly fault: Fault;
  /** One sentence: whose fault it is, in plain words. */
  readonly faultText: string;
  /** Next actions, the main one first. */
  readonly actions: readonly FailureAction[];
}

const LABELS: Record<FailureActionId, string> = {
  'verify-image': 'Verify image',
  'choose-another-image': 'Choose another image',
  'review-again': 'Review again',
  'try-another-disk': 'Try another disk',
  'choose-disk-again': 'Choose disk again',
  'try-again': 'Try again',
};

const IMAGE_CODES = new Set([
  'E_IMAGE_HASH',
  'E_IMAGE_SIZE',
  'E_DECODE',
  'E_WINDOW_TOO_LARGE',
  'E_TAR_INVALID',
  'E_NOT_COSI',
  'E_NO_METADATA',
  'E_METADATA_JSON',
  'E_METADATA_INVALID',
  'E_UNSUPPORTED_VERSION',
  'E_INSPECT_LIMIT',
  'E_GPT_INVALID',
  'E_HTML_PAGE',
]);
/** The image is fine but not the one reviewed: it changed under us. */
const CHANGED_IMAGE_CODES = new Set(['E_SOURCE_CHANGED']);
/** Where the image lives is wrong or refused: another location is the way out. */
const LOCATION_CODES = new Set(['E_HTTP_NOT_FOUND', 'E_HTTP_AUTH', 'E_HTTP_REDIRECT', 'E_HTTP_NO_RANGES', 'E_HTTP_RANGE_IGNORED', 'E_URL', 'E_FILE_NOT_FOUND', 'E_FILE_TYPE', 'E_FILE_READ']);
const NETWORK_CODES = new Set(['E_HTTP_SERVER', 'E_HTTP_STATUS', 'E_HTTP_RANGE', 'E_TIMEOUT', 'E_CONNECT']);
const DISK_CODES = new Set(['E_WRITE', 'E_VERIFY', 'E_DISK_NOT_FOUND', 'E_DISK_INELIGIBLE', 'E_NO_ELIGIBLE_DISK']);
const COMPUTER_CODES = new Set(['E_PERMISSION', 'E_WRITER', 'E_PARTITION_REREAD']);

function guidance(fault: Fault, faultText: string, ids: readonly FailureActionId[]): FailureGuidance {
  return { fault, faultText, actions: ids.map((id) => ({ id, label: LABELS[id] })) };
}

/**
 * What went wrong, whose fault it is and what to do next, for the error a flash failed with.
 * `afterReview`: the image was reviewed before the flash (always so in the app), so a hash
 * mismatch means the image changed since Review rather than a wrong hash typed in.
 */
export function failureActions(code: string, context: { readonly afterReview: boolean }): FailureGuidance {
  if (code === 'E_HASH_MISMATCH') {
    return context.afterReview
      ? guidance('image', 'The image changed since you reviewed it: its hash is no longer the one you saw.', ['review-again', 'choose-another-image'])
      : guidance('image', 'The image is not the one you expected: its hash differs from the one given.', ['verify-image', 'choose-another-image']);
  }
  if (IMAGE_CODES.has(code)) return guidance('image', 'The image is at fault: it is damaged or not a valid COSI. Another disk would fail the same way.', ['verify-image', 'choose-another-image']);
  if (CHANGED_IMAGE_CODES.has(code)) return guidance('image', 'The image changed while it was being read.', ['review-again', 'choose-another-image']);
  if (LOCATION_CODES.has(code)) return guidance('image', 'The image could not be read from where it is.', ['choose-another-image', 'try-again']);
  if (NETWORK_CODES.has(code)) return guidance('network', 'The network or the server is at fault: the download failed after its retries.', ['try-again', 'choose-another-image']);
  if (code === 'E_DISK_CHANGED') return guidance('disk', 'The disk changed after you confirmed it (unplugged, replaced or re-attached); nothing was written.', ['choose-disk-again']);
  if (code === 'E_DISK_OPEN') return guidance('disk', 'The disk is in use by something else.', ['try-again', 'try-another-disk']);
  if (DISK_CODES.has(code)) return guidance('disk', 'The disk is at fault: it failed to store or return the image’s bytes.', ['try-another-disk', 'try-again']);
  if (COMPUTER_CODES.has(code)) return guidance('computer', 'This computer is at fault (permissions, the privileged helper or the kernel), not the image or the disk.', ['try-again']);
  if (code === 'E_CANCELLED') return guidance('user', 'You stopped the flash.', ['try-again', 'try-another-disk']);
  return guidance('app', 'Cosiflash itself failed; the image and the disk may be fine.', ['try-again', 'choose-another-image']);
}
