/**
 * A row of labelled figures as one description list: the Flash screen's live numbers and
 * the Done screen's totals.
 */
import type { ReactNode } from 'react';

export function StatRow(props: { readonly stats: readonly (readonly [label: string, value: ReactNode])[]; readonly boxed?: boolean }) {
  return (
    <dl className={props.boxed === true ? 'stat-row stat-row-boxed' : 'stat-row'}>
      {props.stats.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
