/**
 * A size in bytes as every screen of the product reads it — the console's files, the file
 * manager, system information, recordings, the customer's page, the device tab — so one file
 * never shows two sizes. 1024-based, as Windows Explorer, Task Manager and the Linux tools
 * (`ls -h`, `df -h`, `free -h`) count, and as the file limit is set (FILE_LIMIT_MB × 1024²);
 * CLDR's unit names in the reader's language: bytes spelt out ("1 byte", "512 bytes", "512 Byte",
 * "512 байт" — the short English form is "512 byte"), the larger units short ("1.5 kB", "9.5 MB",
 * "23.5 GB", "1,5 МБ"); one decimal below 100, none from there ("512 MB").
 */
const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;
const formats = new Map<string, Intl.NumberFormat>();

export function formatSize(bytes: number, lang: string): string {
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const key = `${lang}|${unit}|${digits}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang, {
      style: "unit",
      unit: UNITS[unit],
      unitDisplay: unit === 0 ? "long" : "short",
      maximumFractionDigits: digits,
    });
    if (formats.size > 500) formats.clear();
    formats.set(key, format);
  }
  return format.format(value);
}
