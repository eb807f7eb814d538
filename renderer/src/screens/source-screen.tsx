/**
 * Step 1 — Source: an image URL or path, an optional expected image hash, Inspect; recent
 * images one click away; drop a .cosi file or browse (Electron only).
 */
import { useState, type DragEvent, type FormEvent, type JSX } from 'react';
import type { CachedImage } from '../../../src/ipc/contract.ts';
import { formatBytes } from '../../../src/common/format-units.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { useAppStore } from '../store/use-app-store.ts';
import { invalidSourceField } from '../view/invalid-source-field.ts';

export function SourceScreen() {
  const location = useAppStore((state) => state.location);
  const expectedHash = useAppStore((state) => state.expectedHash);
  const recent = useAppStore((state) => state.recent);
  const cached = useAppStore((state) => state.cached);
  const removeCached = useAppStore((state) => state.removeCached);
  const inspecting = useAppStore((state) => state.inspecting);
  const inspectError = useAppStore((state) => state.inspectError);
  const sourceError = useAppStore((state) => state.sourceError);
  const capabilities = useAppStore((state) => state.appInfo?.capabilities ?? null);
  const setLocation = useAppStore((state) => state.setLocation);
  const setExpectedHash = useAppStore((state) => state.setExpectedHash);
  const inspect = useAppStore((state) => state.inspect);
  const pickRecent = useAppStore((state) => state.pickRecent);
  const removeRecent = useAppStore((state) => state.removeRecent);
  const browse = useAppStore((state) => state.browse);
  const dropFile = useAppStore((state) => state.dropFile);
  const clearInspectError = useAppStore((state) => state.clearInspectError);
  const [dragging, setDragging] = useState(false);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void inspect();
  };
  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file !== undefined) dropFile(file, file.name);
  };
  const canDrop = capabilities?.dropPaths === true;
  const error = inspectError ?? sourceError;
  const invalidField = invalidSourceField(error?.code ?? null);
  const invalidProps = (field: 'location' | 'expectedHash') => (invalidField === field ? { 'aria-invalid': true, 'aria-describedby': 'source-error' } : {});

  return (
    <section
      className={`panel source ${dragging ? 'dropping' : ''}`}
      aria-labelledby="source-title"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h1 id="source-title" tabIndex={-1}>
        Choose an image
      </h1>
      <p className="lede">Paste where the COSI image lives. Cosiflash reads only its metadata now; nothing is written until you confirm a disk.</p>
      <form className="source-form" onSubmit={submit}>
        <label className="field">
          <span className="field-label">Image URL</span>
          <span className="field-row">
            <input
              type="text"
              name="location"
              value={location}
              onChange={(event) => setLocation(event.target.value)}
              placeholder="https://example.com/os.cosi, file:///srv/os.cosi or /srv/os.cosi"
              spellCheck={false}
              autoComplete="off"
              autoFocus
              {...invalidProps('location')}
            />
            {capabilities?.browse === true && (
              <button type="button" className="button-secondary" onClick={() => void browse()}>
                Browse…
              </button>
            )}
          </span>
        </label>
        <label className="field">
          <span className="field-label">
            Expected image hash <span className="optional">(optional)</span>
          </span>
          <input
            type="text"
            name="expectedHash"
            value={expectedHash}
            onChange={(event) => setExpectedHash(event.target.value)}
            placeholder="sha384:… (hash of metadata.json)"
            spellCheck={false}
            autoComplete="off"
            className="mono"
            {...invalidProps('expectedHash')}
          />
        </label>
        <div className="actions">
          <button type="submit" className="button-primary" disabled={inspecting}>
            {inspecting ? 'Inspecting…' : 'Inspect'}
          </button>
          {canDrop && <span className="hint">or drop a .cosi file anywhere here</span>}
        </div>
      </form>
      {inspecting && (
        <p className="status" role="status">
          Reading the image’s metadata and partition table…
        </p>
      )}
      {error !== null && <ErrorPanel id="source-error" error={error} onDismiss={clearInspectError} />}
      {recent.length > 0 && (
        <section className="recent" aria-labelledby="recent-title">
          <h2 id="recent-title">Recent images</h2>
          <ul>
            {recent.map((entry) => (
              <li key={entry.location} className="recent-item">
                <button
                  type="button"
                  className="recent-open"
                  onClick={() => {
                    pickRecent(entry);
                    void inspect();
                  }}
                >
                  <span className="recent-label">{entry.label ?? entry.location.split('/').pop()}</span>
                  <span className="recent-location mono">{entry.location}</span>
                </button>
                <CachedBadge entry={cached.find((c) => c.location === entry.location)} onRemove={(location) => void removeCached(location)} />
                <time className="recent-time" dateTime={entry.lastUsedAt}>
                  {new Date(entry.lastUsedAt).toLocaleString()}
                </time>
                <button type="button" className="button-quiet" aria-label={`Remove ${entry.location} from recent images`} onClick={() => void removeRecent(entry.location)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

/** "Cached · 24 MiB" and a button that removes the image from the cache, when it is cached. */
function CachedBadge({ entry, onRemove }: { readonly entry: CachedImage | undefined; readonly onRemove: (location: string) => void }): JSX.Element | null {
  if (entry === undefined || entry.cachedBytes === 0) return null;
  return (
    <span className="recent-cached">
      <span className="badge" title={entry.complete ? 'The whole image is in the cache; a flash reads it from there' : 'Part of the image is in the cache; a flash downloads only the rest'}>
        {entry.complete ? 'Cached' : 'Partly cached'} · {formatBytes(entry.cachedBytes)}
      </span>
      <button type="button" className="button-quiet" disabled={entry.inUse} aria-label={`Remove ${entry.location} from the image cache`} onClick={() => onRemove(entry.location)}>
        Remove from cache
      </button>
    </span>
  );
}
