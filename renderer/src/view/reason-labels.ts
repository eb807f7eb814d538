/**
 * Short labels for why a disk cannot be the target (the detail text comes from main).
 */
import type { IneligibleReason } from '../../../src/model/disk-info.ts';

export const REASON_LABELS: Readonly<Record<IneligibleReason['code'], string>> = {
  system: 'System disk',
  'read-only': 'Read-only',
  'too-small': 'Too small',
  'sector-size': 'Sector size mismatch',
  'holds-source': 'Holds the image',
  mounted: 'Mounted',
  'not-whole-disk': 'Not a whole disk',
  virtual: 'Virtual disk',
};

/** "Too small: needs 2.1 GiB" style one-liners; main's detail as is when it already starts with the label. */
export function describeReason(reason: IneligibleReason): string {
  const label = REASON_LABELS[reason.code];
  const detail = reason.detail.trim();
  if (detail === '') return label;
  if (detail.toLowerCase().startsWith(label.toLowerCase())) return detail;
  return `${label}: ${detail}`;
}
