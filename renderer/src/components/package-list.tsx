/**
 * The image's package list with a search box (name, version or architecture).
 */
import { useDeferredValue, useState } from 'react';
import type { OsPackageInfo } from '../../../src/model/layout.ts';
import { filterPackages } from '../view/filter-packages.ts';

const SHOWN = 200;

export function PackageList(props: { readonly packages: readonly OsPackageInfo[] }) {
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const matches = filterPackages(props.packages, deferred);
  if (props.packages.length === 0) return <p className="muted">The image lists no packages.</p>;
  return (
    <div className="packages">
      <label className="field field-inline">
        <span className="field-label">Search packages</span>
        <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder="e.g. openssl" />
      </label>
      <p className="muted small" role="status">
        {matches.length === props.packages.length ? `${matches.length} packages` : `${matches.length} of ${props.packages.length} packages`}
        {matches.length > SHOWN ? ` (showing the first ${SHOWN})` : ''}
      </p>
      <div className="table-wrap package-scroll">
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Version</th>
              <th scope="col">Arch</th>
            </tr>
          </thead>
          <tbody>
            {matches.slice(0, SHOWN).map((pkg) => (
              <tr key={`${pkg.name}-${pkg.arch}-${pkg.version}`}>
                <td>{pkg.name}</td>
                <td className="mono small">
                  {pkg.version}
                  {pkg.release === '' ? '' : `-${pkg.release}`}
                </td>
                <td>{pkg.arch}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
