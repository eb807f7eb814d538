/**
 * What `cosiflash inspect` prints: the stable `--json` object and the readable summary.
 * Both come from the same {@link Layout}, so the two never disagree.
 */
import type { Layout } from '../model/layout.ts';
import type { OciResolution } from '../source/oci-resolution.ts';
import { terminalText } from '../common/terminal-text.ts';
import { formatBytes } from '../common/format-units.ts';

/**
 * The `cosiflash inspect --json` object (stable: fields are only ever added).
 * Sizes are bytes, LBAs are in units of `disk.lbaSize`, hashes are lowercase hex,
 * `imageHash` is `sha384:<hex>`, GUIDs are lowercase, `attributes` is the 64-bit GPT
 * attribute field as a decimal string.
 */
export interface InspectJson {
  imageHash: string;
  version: string;
  osArch: string;
  os: { prettyName: string | null; id: string | null; versionId: string | null };
  bootloader: { type: string; entries: number } | null;
  compression: { maxWindowLog: number };
  disk: { sizeBytes: number; lbaSize: number; guid: string; firstUsableLba: number; lastUsableLba: number };
  primaryGpt: { path: string; compressedSize: number; uncompressedSize: number; sha384: string };
  partitions: {
    number: number;
    name: string;
    typeGuid: string;
    typeName: string;
    partGuid: string;
    startLba: number;
    endLba: number;
    sizeBytes: number;
    attributes: string;
    fsType: string | null;
    fsUuid: string | null;
    mountPoint: string | null;
    verity: { role: 'data' | 'hash'; peerNumber: number | null; roothash: string | null } | null;
    image: { path: string; compressedSize: number; uncompressedSize: number; sha384: string };
    shrunk: boolean;
  }[];
  gaps: { startLba: number; endLba: number; sizeBytes: number }[];
  packageCount: number;
  downloadBytes: number;
  writeBytes: number;
  warnings: string[];
  /** `oci` only for oci:// references: the manifest and layer used, and the rule that chose the layer. */
  source: { location: string; sizeBytes: number; transferredBytes: number; oci?: OciResolution };
}

const imageJson = (image: { path: string; compressedSize: number; uncompressedSize: number; sha384: string }): InspectJson['primaryGpt'] => ({
  path: image.path,
  compressedSize: image.compressedSize,
  uncompressedSize: image.uncompressedSize,
  sha384: image.sha384,
});

/** Builds the `--json` object from a layout plus what the source reports about the transfer. */
export function inspectJson(layout: Layout, source: InspectJson['source']): InspectJson {
  return {
    imageHash: layout.imageHash,
    version: layout.version,
    osArch: layout.osArch,
    os: { ...layout.os },
    bootloader: layout.bootloader === null ? null : { ...layout.bootloader },
    compression: { ...layout.compression },
    disk: { sizeBytes: layout.disk.sizeBytes, lbaSize: layout.disk.lbaSize, guid: layout.disk.guid, firstUsableLba: layout.firstUsableLba, lastUsableLba: layout.lastUsableLba },
    primaryGpt: imageJson(layout.primaryGpt),
    partitions: layout.partitions.map((p) => ({
      number: p.number,
      name: p.name,
      typeGuid: p.typeGuid,
      typeName: p.typeName,
      partGuid: p.partGuid,
      startLba: p.startLba,
      endLba: p.endLba,
      sizeBytes: p.sizeBytes,
      attributes: p.attributes,
      fsType: p.fsType,
      fsUuid: p.fsUuid,
      mountPoint: p.mountPoint,
      verity: p.verity === null ? null : { ...p.verity },
      image: imageJson(p.image),
      shrunk: p.shrunk,
    })),
    gaps: layout.gaps.map((g) => ({ ...g })),
    packageCount: layout.packages.length,
    downloadBytes: layout.downloadBytes,
    writeBytes: layout.writeBytes,
    warnings: [...layout.warnings],
    source,
  };
}

/** Left-aligned columns separated by two spaces; cells are made terminal-safe first (they may come from the image). */
export function textTable(header: readonly string[], unsafeRows: readonly (readonly string[])[]): string[] {
  const rows = unsafeRows.map((row) => row.map(terminalText));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The readable summary of `cosiflash inspect`; image-derived text is escaped (terminalText), so it cannot move the cursor. */
export function inspectText(layout: Layout, location: string, oci?: OciResolution): string {
  const os = layout.os.prettyName ?? layout.os.id ?? 'unknown';
  const osDetail = [layout.os.id, layout.os.versionId].filter((v) => v !== null).join(' ');
  const lines = [
    `Image        ${location}`,
    ...(oci === undefined ? [] : ociLines(oci)),
    `Image hash   ${layout.imageHash}`,
    `COSI version ${layout.version}`,
    `OS           ${os}${osDetail ? ` (${osDetail})` : ''}`,
    `Architecture ${layout.osArch}`,
    `Bootloader   ${layout.bootloader === null ? 'none' : `${layout.bootloader.type}${layout.bootloader.entries > 0 ? ` (${layout.bootloader.entries} entries)` : ''}`}`,
    `Packages     ${layout.packages.length}`,
    `Disk         ${formatBytes(layout.disk.sizeBytes)} (${layout.disk.sizeBytes} bytes), ${layout.disk.lbaSize}-byte sectors, GUID ${layout.disk.guid}`,
    `Transfer     ${formatBytes(layout.downloadBytes)} to download, ${formatBytes(layout.writeBytes)} to write`,
    '',
  ];
  const rows = layout.partitions.map((p) => [
    String(p.number),
    p.name,
    p.typeName,
    String(p.startLba),
    String(p.endLba),
    formatBytes(p.sizeBytes),
    p.fsType ?? 'raw',
    p.mountPoint ?? '-',
    `${formatBytes(p.image.compressedSize)} → ${formatBytes(p.image.uncompressedSize)}${p.shrunk ? ' (shrunk)' : ''}${p.verity ? ` [verity ${p.verity.role}]` : ''}`,
  ]);
  const gpt = layout.primaryGpt;
  rows.unshift(['-', 'primary GPT', 'partition table', '0', String(gpt.uncompressedSize / layout.disk.lbaSize - 1), formatBytes(gpt.uncompressedSize), '-', '-', `${formatBytes(gpt.compressedSize)} → ${formatBytes(gpt.uncompressedSize)}`]);
  lines.push(...textTable(['Slot', 'Name', 'Type', 'Start LBA', 'End LBA', 'Size', 'FS', 'Mount', 'Image (compressed → written)'], rows));
  lines.push('', layout.gaps.length === 0 ? 'Unallocated: none' : 'Unallocated:');
  for (const gap of layout.gaps) lines.push(`  LBA ${gap.startLba}–${gap.endLba} (${formatBytes(gap.sizeBytes)})`);
  if (layout.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const warning of layout.warnings) lines.push(`  - ${warning}`);
  }
  return lines.map(terminalText).join('\n');
}

/** Where an oci:// reference led: manifest (and index), the layer and why that layer. */
function ociLines(oci: OciResolution): string[] {
  return [
    ...(oci.index === null ? [] : [`Index        ${oci.index.digest} (manifest chosen: ${oci.index.rule})`]),
    `Manifest     ${oci.manifestDigest} (${oci.manifestMediaType})`,
    `Layer        ${oci.layerDigest}, ${formatBytes(oci.layerSizeBytes)}, ${oci.layerMediaType || 'no media type'}`,
    `Layer choice ${oci.layerRule}`,
    `Credentials  ${oci.credentialsFrom ?? 'none (anonymous)'}`,
  ].map(terminalText);
}
