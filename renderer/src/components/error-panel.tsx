/**
 * Shows an AppError the way people need it: what happened (title), why (detail) and what to
 * do next (hint). Never a stack trace; the stable code is small print for support.
 */
import type { AppError } from '../../../src/model/app-error.ts';

export function ErrorPanel(props: { readonly error: AppError; readonly onDismiss?: () => void; readonly id?: string }) {
  const { error, onDismiss, id } = props;
  return (
    <div className="error-panel" role="alert" id={id}>
      <div className="error-icon" aria-hidden="true">
        !
      </div>
      <div className="error-body">
        <p className="error-title">{error.title}</p>
        {error.detail !== '' && <p className="error-detail">{error.detail}</p>}
        {error.hint !== undefined && error.hint !== '' && (
          <p className="error-hint">
            <strong>Next step: </strong>
            {error.hint}
          </p>
        )}
        <p className="error-code">{error.code}</p>
      </div>
      {onDismiss !== undefined && (
        <button type="button" className="button-quiet error-dismiss" onClick={onDismiss} aria-label="Dismiss error">
          ×
        </button>
      )}
    </div>
  );
}
