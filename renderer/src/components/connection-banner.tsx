/**
 * Web mode: tells the user when the link to `cosiflash serve` is down or was refused.
 */
import { useAppStore } from '../store/use-app-store.ts';

export function ConnectionBanner() {
  const connection = useAppStore((state) => state.connection);
  if (connection === 'open' || connection === 'connecting') return null;
  return (
    <div className="banner banner-danger" role="status">
      {connection === 'unauthorized'
        ? 'The Cosiflash server refused this page — if it restarted, open the new link it printed (it ends in ?token=…; `serve --token-file FILE` keeps the link stable).'
        : 'Lost the connection to the Cosiflash server — reconnecting…'}
    </div>
  );
}
