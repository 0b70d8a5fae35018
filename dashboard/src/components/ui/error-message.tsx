import { ApiError } from '../../lib/api-client';

export interface ErrorMessageProps {
  error: Error | null | undefined;
  /** Leading text, e.g. "Could not load the hashes". */
  context?: string;
  onRetry?: () => void;
}

/** An error as an alert: the problem's title and detail for API errors, the message otherwise. */
export function ErrorMessage({ error, context, onRetry }: ErrorMessageProps) {
  if (!error) return null;
  const title = error instanceof ApiError ? error.title : 'Error';
  return (
    <div className="alert alert-error" role="alert">
      <p>
        <strong>{context ? `${context}: ` : ''}</strong>
        {error instanceof ApiError && error.status > 0 ? `${title} — ` : ''}
        {error.message}
      </p>
      {onRetry && (
        <button type="button" className="btn btn-secondary btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
