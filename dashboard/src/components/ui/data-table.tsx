import type { ReactNode } from 'react';

export interface DataTableColumn {
  header: ReactNode;
  className?: string;
  /** Header for screen readers only (e.g. an actions column). */
  hiddenHeader?: boolean;
}

export interface DataTableProps<T> {
  columns: DataTableColumn[];
  rows: readonly T[];
  /** Renders one `<tr>` (with its key) per row. */
  children: (row: T, index: number) => ReactNode;
  /** Visually hidden caption. */
  caption?: string;
  /** Extra classes after `table`. */
  className?: string;
  /** Extra classes after `table-scroll`. */
  scrollClassName?: string;
  labelledBy?: string;
  /** A muted row spanning all columns, shown when `rows` is empty. */
  emptyRow?: ReactNode;
  /** Rows of the `<tfoot>`. */
  footer?: ReactNode;
}

/** A horizontally scrollable table with a column header row. */
export function DataTable<T>({ columns, rows, children, caption, className, scrollClassName, labelledBy, emptyRow, footer }: DataTableProps<T>) {
  return (
    <div className={scrollClassName ? `table-scroll ${scrollClassName}` : 'table-scroll'}>
      <table className={className ? `table ${className}` : 'table'} aria-labelledby={labelledBy}>
        {caption !== undefined && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.className}>
                {c.hiddenHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {emptyRow !== undefined && rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="muted">
                {emptyRow}
              </td>
            </tr>
          )}
          {rows.map(children)}
        </tbody>
        {footer !== undefined && <tfoot>{footer}</tfoot>}
      </table>
    </div>
  );
}
