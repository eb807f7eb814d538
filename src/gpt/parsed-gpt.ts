/**
 * One used GPT partition entry (UEFI 2.10 §5.3.3, table 5.6).
 * `slot` is the 1-based index in the entry array; holes are kept (slots 1, 2, 5 stay 1, 2, 5).
 * GUIDs are lowercase canonical strings; `name` is the UTF-16LE name up to its first NUL.
 */
export interface GptEntry {
  slot: number;
  typeGuid: string;
  partGuid: string;
  firstLba: number;
  lastLba: number;
  attributes: bigint;
  name: string;
}

/** The fields of a GPT header (UEFI 2.10 §5.3.2, table 5.5). */
export interface GptHeader {
  revision: number;
  headerSize: number;
  currentLba: number;
  backupLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  diskGuid: string;
  entriesLba: number;
  entryCount: number;
  entrySize: number;
  entriesCrc32: number;
  headerCrc32: number;
}

/** A validated primary GPT, as read from the primary-GPT region of a COSI. */
export interface ParsedGpt {
  lbaSize: 512 | 4096;
  header: GptHeader;
  /** Used slots only (type GUID not zero), ascending slot. */
  entries: readonly GptEntry[];
  /** SizeInLBA of the protective MBR's 0xEE partition record (UEFI 2.10 §5.2.3). */
  mbrSizeInLba: number;
  /** Facts worth telling the user that do not make the table unusable (hybrid MBR, …). */
  warnings?: readonly string[];
}
