/**
 * Step 2 — Review: what the image is and what it will do to a disk, before anything is
 * written: OS, architecture, bootloader, verity, the layout to scale, the partition table,
 * validation warnings, the image hash, and the package list.
 */
import { formatBytes } from '../../../src/common/format-units.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { DiskMap } from '../components/disk-map.tsx';
import { PackageList } from '../components/package-list.tsx';
import { PartitionTable } from '../components/partition-table.tsx';
import { useAppStore } from '../store/use-app-store.ts';

export function ReviewScreen() {
  const result = useAppStore((state) => state.inspectResult);
  const inspectedHash = useAppStore((state) => state.inspectedHash);
  const goTo = useAppStore((state) => state.goTo);
  if (result === null) return null;
  const { layout, source } = result;
  const verity = layout.partitions.filter((partition) => partition.verity !== null);
  const facts: [string, string][] = [
    ['Operating system', [layout.os.prettyName ?? layout.os.id ?? 'Unknown', layout.os.versionId === null || (layout.os.prettyName ?? '').includes(layout.os.versionId) ? '' : layout.os.versionId].join(' ').trim()],
    ['Architecture', layout.osArch],
    ['Bootloader', layout.bootloader === null ? 'None declared' : `${layout.bootloader.type}${layout.bootloader.entries > 0 ? ` (${layout.bootloader.entries} entries)` : ''}`],
    ['Verity', verity.length === 0 ? 'Not used' : verity.map((partition) => `${partition.name} (${partition.verity?.role})`).join(', ')],
    ['Disk needed', `${formatBytes(layout.disk.sizeBytes)}, ${layout.disk.lbaSize}-byte sectors`],
    ['Download → write', `${formatBytes(layout.downloadBytes)} → ${formatBytes(layout.writeBytes)}`],
    ['COSI version', layout.version],
    ['Source', source.kind === 'http' ? `HTTP, ${formatBytes(source.sizeBytes)}` : source.kind === 'oci' ? `OCI registry, ${formatBytes(source.sizeBytes)}` : `Local file, ${formatBytes(source.sizeBytes)}`],
  ];

  // From image:inspect: the recent-images list remembers the hash this location served first.
  const recent = result.recent;
  const recentNotes: string[] = [];
  if (recent?.status === 'changed' && recent.rememberedHash !== null) {
    recentNotes.push(`This location served a different image when you first opened it${recent.firstSeenAt === null ? '' : ` on ${recent.firstSeenAt.slice(0, 10)}`} (${recent.rememberedHash}). It now serves ${layout.imageHash}.`);
  }
  if (recent?.failed) recentNotes.push(`A flash of this image failed verification before (${recent.failed.code}, ${recent.failed.at.slice(0, 10)}): it may be corrupt.`);

  return (
    <section className="panel review" aria-labelledby="review-title">
      <div className="screen-head">
        <div>
          <h1 id="review-title" tabIndex={-1}>
            {layout.os.prettyName ?? 'COSI image'}
          </h1>
          <p className="lede mono ellipsis" title={source.location}>
            {source.location}
          </p>
        </div>
        <div className="actions">
          <button type="button" className="button-secondary" onClick={() => goTo('source')}>
            Back
          </button>
          <button type="button" className="button-primary" onClick={() => goTo('target')}>
            Choose target disk
          </button>
        </div>
      </div>

      {recentNotes.length > 0 && (
        <div className="notice notice-warning" role="alert" aria-label="This location served another image before">
          <p className="notice-title">Check that this is the image you mean</p>
          <ul>
            {recentNotes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </div>
      )}

      <dl className="facts">
        {facts.map(([term, value]) => (
          <div key={term} className="fact">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>

      <h2>Layout</h2>
      <DiskMap layout={layout} />

      {layout.warnings.length > 0 && (
        <div className="notice notice-warning" role="note" aria-label="Validation warnings">
          <p className="notice-title">Validation warnings</p>
          <ul>
            {layout.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}

      <h2>Partitions</h2>
      <PartitionTable layout={layout} />

      <h2>Image hash</h2>
      <div className="hash-row">
        <code className="hash" aria-label="Image hash">
          {layout.imageHash}
        </code>
        <CopyButton text={layout.imageHash} label="Copy image hash" />
      </div>
      <p className="muted small">
        SHA-384 of metadata.json (Trident’s image hash).{' '}
        {inspectedHash === '' ? 'No expected hash was given.' : <strong className="ok-text">Matches the expected hash you gave.</strong>}
      </p>

      <h2>Packages</h2>
      <PackageList packages={layout.packages} />
    </section>
  );
}
