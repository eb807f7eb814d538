/**
 * Every partition of the image: slot, name, type, size, filesystem, UUID, mount point,
 * compressed → written size, and a badge for shrunk filesystems and verity.
 */
import { formatBytes } from '../../../src/common/format-units.ts';
import type { Layout } from '../../../src/model/layout.ts';
import { partitionTone } from '../view/partition-tone.ts';

export function PartitionTable(props: { readonly layout: Layout }) {
  return (
    <div className="table-wrap">
      <table className="data-table partition-table">
        <caption className="visually-hidden">Partitions</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Filesystem</th>
            <th scope="col">UUID</th>
            <th scope="col">Mount point</th>
            <th scope="col" className="num">
              Compressed → written
            </th>
          </tr>
        </thead>
        <tbody>
          {props.layout.partitions.map((partition) => (
            <tr key={partition.number}>
              <td className="num">{partition.number}</td>
              <td>
                <i className={`swatch tone-${partitionTone(partition.typeName)}`} aria-hidden="true" />
                {partition.name === '' ? <span className="muted">(no name)</span> : partition.name}
              </td>
              <td title={partition.typeGuid}>{partition.typeName}</td>
              <td className="num">{formatBytes(partition.sizeBytes)}</td>
              <td>
                {partition.fsType ?? <span className="muted">raw</span>}
                {partition.shrunk && (
                  <span className="badge badge-info" title="The filesystem image is smaller than its partition">
                    shrunk
                  </span>
                )}
                {partition.verity !== null && <span className="badge badge-info">verity {partition.verity.role}</span>}
              </td>
              <td className="mono small">
                {partition.fsUuid === null ? (
                  <span className="muted">—</span>
                ) : (
                  <span className="uuid" title={partition.fsUuid}>
                    {partition.fsUuid}
                  </span>
                )}
              </td>
              <td className="mono">{partition.mountPoint ?? <span className="muted">—</span>}</td>
              <td className="num">
                {formatBytes(partition.image.compressedSize)} → {formatBytes(partition.image.uncompressedSize)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
