/**
 * The image's disk drawn to scale: GPT regions, partitions coloured by type and named,
 * unallocated space hatched; tiny regions keep a minimum width so they stay visible and show
 * their partition number when the name does not fit (colour is never the only cue).
 */
import { formatBytes } from '../../../src/common/format-units.ts';
import type { Layout } from '../../../src/model/layout.ts';
import { diskSegments } from '../view/disk-segments.ts';
import { partitionTone } from '../view/partition-tone.ts';

export function DiskMap(props: { readonly layout: Layout }) {
  const segments = diskSegments(props.layout, { minWidthPercent: 3 });
  return (
    <figure className="disk-map">
      <div className="disk-bar" role="img" aria-label={`Disk layout, ${formatBytes(props.layout.disk.sizeBytes)}: ${segments.map((s) => `${s.label} ${formatBytes(s.sizeBytes)}`).join(', ')}`}>
        {segments.map((segment) => {
          const tone = segment.partition === null ? segment.kind : `part tone-${partitionTone(segment.partition.typeName)}`;
          return (
            <div
              key={`${segment.kind}-${segment.startLba}`}
              className={`segment segment-${tone}`}
              style={{ width: `${segment.widthPercent}%` }}
              title={`${segment.label} — ${formatBytes(segment.sizeBytes)} (LBA ${segment.startLba}–${segment.endLba})`}
            >
              {segment.kind === 'partition' && segment.widthPercent >= 5 && (
                <span className="segment-text">
                  <span className="segment-name">{segment.label}</span>
                  {segment.widthPercent >= 8 && <span className="segment-size">{formatBytes(segment.sizeBytes)}</span>}
                </span>
              )}
              {/* Too narrow for its name: its number, as in the partition table, so no partition is told apart by colour alone. */}
              {segment.kind === 'partition' && segment.widthPercent < 5 && segment.partition !== null && (
                <span className="segment-number" aria-hidden="true">
                  {segment.partition.number}
                </span>
              )}
            </div>
          );
        })}
      </div>
      <figcaption className="disk-legend">
        <span>
          <i className="swatch segment-gpt" /> GPT
        </span>
        <span>
          <i className="swatch segment-free" /> Unallocated
        </span>
        <span className="legend-total">
          Disk {formatBytes(props.layout.disk.sizeBytes)} · {props.layout.disk.lbaSize}-byte sectors
        </span>
      </figcaption>
    </figure>
  );
}
