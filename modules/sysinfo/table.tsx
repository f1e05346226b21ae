/**
 * A table the technician sorts by clicking a column's heading (static/system_info.js sorts
 * the rows in the page by each cell's `data-sort`; the server sends them in a useful order).
 */
import type { Child } from "hono/jsx";

export interface Column {
  label: string;
  numeric?: boolean;
  /** Wide text (a command line, a message): may wrap, shrinks first. */
  wide?: boolean;
  /** A name that may be long: cut with an ellipsis (the cell's title has it whole). */
  clip?: boolean;
}

export interface Cell {
  /** What sorts: a number for numeric columns, else text. */
  sort: string | number;
  show?: Child;
}

export function SortableTable(
  props: { label: string; columns: Column[]; rows: Cell[][]; rowKey?: (i: number) => string },
) {
  return (
    <div class="sysinfo-table-wrap">
      <table class="sysinfo-table" data-sortable="">
        <caption class="visually-hidden">{props.label}</caption>
        <thead>
          <tr>
            {props.columns.map((col, i) => (
              <th
                scope="col"
                class={`${col.numeric ? "num" : ""}${col.wide ? " wide" : ""}`}
                aria-sort="none"
                data-numeric={col.numeric ? "" : undefined}
              >
                <button type="button" class="sysinfo-sort" data-sort-col={String(i)}>
                  {col.label}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((cells, r) => (
            <tr data-row={props.rowKey?.(r)}>
              {cells.map((cell, i) => (
                <td
                  class={`${props.columns[i]?.numeric ? "num" : ""}${
                    props.columns[i]?.wide ? " wide" : ""
                  }${props.columns[i]?.clip ? " clip" : ""}`}
                  title={props.columns[i]?.clip ? String(cell.sort) : undefined}
                  data-sort={String(cell.sort)}
                >
                  {cell.show ?? String(cell.sort)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A plain cell whose text is what sorts. */
export const text = (value: string): Cell => ({ sort: value });
