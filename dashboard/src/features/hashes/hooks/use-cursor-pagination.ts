import { useCallback, useReducer } from 'react';

/**
 * Keyset pagination keeps the cursors it has walked through: the API only knows "after this digest", so going back
 * means popping the stack. stack[0] is null (the first page); the last entry is the current page's cursor.
 */
export interface CursorState {
  /** The filter the stack belongs to; a new filter starts over at page 1. */
  key: string;
  stack: (string | null)[];
}

export type CursorAction = { type: 'next'; cursor: string } | { type: 'prev' } | { type: 'reset'; key: string };

export function initialCursorState(key: string): CursorState {
  return { key, stack: [null] };
}

export function cursorReducer(state: CursorState, action: CursorAction): CursorState {
  switch (action.type) {
    case 'next':
      // A double click must not skip a page: the same cursor twice in a row is one step.
      if (state.stack[state.stack.length - 1] === action.cursor) return state;
      return { ...state, stack: [...state.stack, action.cursor] };
    case 'prev':
      return state.stack.length > 1 ? { ...state, stack: state.stack.slice(0, -1) } : state;
    case 'reset':
      return initialCursorState(action.key);
  }
}

export interface CursorPagination {
  /** The cursor to request now (null = first page). */
  cursor: string | null;
  /** 1-based page number. */
  page: number;
  hasPrev: boolean;
  next: (cursor: string) => void;
  prev: () => void;
  first: () => void;
}

export function useCursorPagination(filterKey: string): CursorPagination {
  const [stored, dispatch] = useReducer(cursorReducer, filterKey, initialCursorState);
  // A changed filter takes effect in this very render, so no request goes out with the old filter's cursor.
  const state = stored.key === filterKey ? stored : initialCursorState(filterKey);
  if (stored.key !== filterKey) dispatch({ type: 'reset', key: filterKey });
  const next = useCallback((cursor: string) => dispatch({ type: 'next', cursor }), []);
  const prev = useCallback(() => dispatch({ type: 'prev' }), []);
  const first = useCallback(() => dispatch({ type: 'reset', key: filterKey }), [filterKey]);
  return {
    cursor: state.stack[state.stack.length - 1],
    page: state.stack.length,
    hasPrev: state.stack.length > 1,
    next,
    prev,
    first,
  };
}
