/**
 * A colour family per partition type, so the disk bar, the table swatches and the flash
 * rows agree. Based on the friendly type names of the Discoverable Partitions Specification.
 */
export type PartitionTone = 'esp' | 'boot' | 'root' | 'verity' | 'usr' | 'data' | 'swap' | 'other';

export function partitionTone(typeName: string): PartitionTone {
  const name = typeName.toLowerCase();
  if (name.includes('efi system') || name === 'esp') return 'esp';
  if (name.includes('verity')) return 'verity';
  if (name.includes('xbootldr') || name.includes('extended boot') || name.includes('bios boot')) return 'boot';
  if (name.includes('root')) return 'root';
  if (name.includes('/usr') || name.startsWith('usr')) return 'usr';
  if (name.includes('swap')) return 'swap';
  if (name.includes('home') || name.includes('srv') || name.includes('var') || name.includes('data') || name.includes('linux')) return 'data';
  return 'other';
}
