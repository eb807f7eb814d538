/**
 * An accessible progress bar (role="progressbar", 0–100) labelled with what it measures.
 */
export function ProgressBar(props: { readonly label: string; readonly fraction: number; readonly tone?: 'active' | 'verify' | 'ok' | 'failed' | 'idle'; readonly large?: boolean }) {
  const percent = Math.floor(Math.max(0, Math.min(1, props.fraction)) * 100);
  return (
    <div
      className={`progress ${props.large === true ? 'progress-large' : ''} progress-${props.tone ?? 'active'}`}
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
    >
      <div className="progress-fill" style={{ width: `${props.fraction * 100}%` }} />
    </div>
  );
}
