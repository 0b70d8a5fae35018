import type { QueryState } from '../../lib/use-query';
import { ErrorMessage } from './error-message';
import { Loading } from './loading';

export interface QueryStatusProps {
  query: Pick<QueryState<unknown>, 'data' | 'error' | 'refetch'>;
  /** Leading text of the error, e.g. "Could not load the flags". */
  context: string;
  loadingLabel?: string;
  /** False when the page shows the error its own way. */
  showError?: boolean;
}

/** What a query shows before it has data: its error with a retry, or a spinner while the first answer is awaited. */
export function QueryStatus({ query, context, loadingLabel, showError = true }: QueryStatusProps) {
  return (
    <>
      {query.error && showError && <ErrorMessage error={query.error} context={context} onRetry={query.refetch} />}
      {!query.data && !query.error && <Loading label={loadingLabel} />}
    </>
  );
}
