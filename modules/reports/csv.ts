/**
 * CSV as spreadsheets read it (RFC 4180: comma-separated, CRLF, quotes doubled, a UTF-8 byte
 * order mark so Excel takes the encoding). A cell that starts like a formula (`=`, `+`, `-`,
 * `@`, tab, carriage return) gets a leading apostrophe: a customer's name or chat line must
 * never run as a formula in a manager's spreadsheet (CSV injection). Numbers stay numbers.
 */

export type CsvCell = string | number | boolean | null | undefined;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole document: the header row, then the rows. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/** The `Content-Disposition` of a download named `name` (ASCII only: we make the names). */
export function csvDisposition(name: string): string {
  return `attachment; filename="${name.replace(/[^A-Za-z0-9_.-]/g, "_")}"`;
}
