// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { cursorReducer, initialCursorState, useCursorPagination } from './use-cursor-pagination';

afterEach(cleanup);

describe('cursorReducer', () => {
  it('walks forward by pushing cursors and back by popping them', () => {
    let s = initialCursorState('k');
    s = cursorReducer(s, { type: 'next', cursor: 'aa' });
    s = cursorReducer(s, { type: 'next', cursor: 'bb' });
    expect(s.stack).toEqual([null, 'aa', 'bb']);
    s = cursorReducer(s, { type: 'prev' });
    expect(s.stack).toEqual([null, 'aa']);
  });

  it('cannot go before the first page', () => {
    const s = cursorReducer(initialCursorState('k'), { type: 'prev' });
    expect(s.stack).toEqual([null]);
  });

  it('treats the same cursor twice in a row as one step (double click on Next)', () => {
    let s = cursorReducer(initialCursorState('k'), { type: 'next', cursor: 'aa' });
    s = cursorReducer(s, { type: 'next', cursor: 'aa' });
    expect(s.stack).toEqual([null, 'aa']);
  });
});

describe('useCursorPagination', () => {
  it('exposes the current cursor and page number', () => {
    const { result } = renderHook(() => useCursorPagination('flag=1'));
    expect(result.current).toMatchObject({ cursor: null, page: 1, hasPrev: false });
    act(() => result.current.next('c1'));
    act(() => result.current.next('c2'));
    expect(result.current).toMatchObject({ cursor: 'c2', page: 3, hasPrev: true });
    act(() => result.current.prev());
    expect(result.current).toMatchObject({ cursor: 'c1', page: 2 });
    act(() => result.current.first());
    expect(result.current).toMatchObject({ cursor: null, page: 1 });
  });

  it('starts over at page 1 in the same render when the filter changes (no request with a stale cursor)', () => {
    const { result, rerender } = renderHook(({ key }) => useCursorPagination(key), { initialProps: { key: 'flag=1' } });
    act(() => result.current.next('c1'));
    expect(result.current.cursor).toBe('c1');
    rerender({ key: 'flag=2' });
    expect(result.current).toMatchObject({ cursor: null, page: 1, hasPrev: false });
    act(() => result.current.next('d1'));
    expect(result.current).toMatchObject({ cursor: 'd1', page: 2 });
  });
});
