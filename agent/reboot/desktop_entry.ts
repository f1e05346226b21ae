/**
 * XDG desktop entries (the Desktop Entry Specification 1.5), as far as an autostart entry
 * needs them: an `Exec` line built from an argument array (quoted and escaped so any path or
 * link survives) and read back into one — the tests start the agent exactly as a desktop
 * session would.
 */

// Characters that force an argument into double quotes (spec, "The Exec key").
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** One argument as the Exec key's value holds it. */
function _quote(arg: string): string {
  const plain = arg.replaceAll("%", "%%");
  if (plain !== "" && !RESERVED.test(plain)) return plain;
  // Inside quotes ", `, $ and \ take a backslash; the string value then escapes each \ again.
  const quoted = `"${plain.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  return quoted.replaceAll("\\", "\\\\");
}

/** The Exec value that runs `args` (program first). */
export function formatExec(args: readonly string[]): string {
  if (args.length === 0) throw new RangeError("An Exec line needs a program");
  for (const arg of args) {
    if (/[\n\r\0]/.test(arg)) throw new RangeError("An argument may not hold a line break");
  }
  return args.map(_quote).join(" ");
}

/** Undoes the string-value escapes (\s \n \t \r \\) of a desktop entry's value. */
export function unescapeValue(value: string): string {
  return value.replace(
    /\\([sntr\\])/g,
    (_, c: string) => ({ s: " ", n: "\n", t: "\t", r: "\r", "\\": "\\" })[c]!,
  );
}

/** The argument array an Exec value runs (field codes other than %% are refused). */
export function parseExec(value: string): string[] {
  const text = unescapeValue(value);
  const args: string[] = [];
  let current = "";
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      started = true;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && /["`$\\]/.test(text[i + 1] ?? "")) i++;
        current += text[i];
      }
      if (i >= text.length) throw new SyntaxError("Unclosed quote in Exec");
    } else if (c === " " || c === "\t") {
      if (started) args.push(current);
      current = "";
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) args.push(current);
  return args.map((arg) => {
    if (/%[^%]/.test(arg.replaceAll("%%", ""))) {
      throw new SyntaxError(`Field codes are not used here: ${arg}`);
    }
    return arg.replaceAll("%%", "%");
  });
}

export interface AutostartEntry {
  name: string;
  comment: string;
  exec: readonly string[];
  /** The working directory the program starts in. */
  path: string;
}

/** The text of an autostart `.desktop` file. */
export function desktopEntry(entry: AutostartEntry): string {
  const value = (text: string) => text.replace(/[\n\r]/g, " ").replaceAll("\\", "\\\\");
  return [
    "[Desktop Entry]",
    "Type=Application",
    `Name=${value(entry.name)}`,
    `Comment=${value(entry.comment)}`,
    `Exec=${formatExec(entry.exec)}`,
    `Path=${value(entry.path)}`,
    "Terminal=false",
    "NoDisplay=true",
    "X-GNOME-Autostart-enabled=true",
    "",
  ].join("\n");
}

/** The keys of the `[Desktop Entry]` group of a `.desktop` file, values as written. */
export function readDesktopEntry(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  let inGroup = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("[")) {
      inGroup = line.trim() === "[Desktop Entry]";
      continue;
    }
    const match = /^([A-Za-z0-9-]+)\s*=\s*(.*)$/.exec(line);
    if (inGroup && match && !keys.has(match[1])) keys.set(match[1], match[2]);
  }
  return keys;
}
