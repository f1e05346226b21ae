/**
 * An event's sentence as Event Viewer shows it: the source's message DLLs (the registry's
 * EventLog\<log>\<source>\EventMessageFile, environment variables expanded) loaded as data
 * (LoadLibraryExW), the event's full id looked up in their message tables and its insertion
 * strings put in (FormatMessageW). Every %n the template may name gets an argument (missing
 * ones an empty string), so a template wanting more strings than the record has reads nothing
 * it should not.
 */
import { addressOf, readWide, wide, win32 } from "./ffi.ts";
import { HKLM, openKey } from "./registry.ts";

const LOAD_LIBRARY_AS_DATAFILE = 0x0002;
const LOAD_LIBRARY_AS_IMAGE_RESOURCE = 0x0020;
const FORMAT_MESSAGE_FROM_HMODULE = 0x0800;
const FORMAT_MESSAGE_ARGUMENT_ARRAY = 0x2000;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x0200;
/** %1 … %99: FormatMessage's inserts go no higher. */
const ARGS = 99;
const OUT_CHARS = 16_384;

/** Environment variables in a path (%SystemRoot%\…) expanded. */
export function expand(path: string): string {
  const out = new Uint8Array(32_768 * 2);
  const n = win32().kernel32.ExpandEnvironmentStringsW(wide(path), out, 32_768);
  return n > 0 ? readWide(out) : path;
}

/**
 * The argument array for `strings`: 99 pointers, each to one NUL-terminated UTF-16 string in
 * `text` (missing ones to the empty string at its start). Keep `text` alive during the call.
 */
export function argumentArray(strings: string[]): { text: Uint8Array; args: Uint8Array } {
  const parts = ["", ...strings.slice(0, ARGS)].map(wide);
  const text = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const part of parts) {
    offsets.push(at);
    text.set(part, at);
    at += part.length;
  }
  const base = addressOf(text);
  const args = new BigUint64Array(ARGS);
  for (let i = 0; i < ARGS; i++) args[i] = base + BigInt(offsets[i + 1] ?? 0);
  return { text, args: new Uint8Array(args.buffer) };
}

/** Message `id` of `module` with `strings` put in; undefined when the module has no such id. */
export function formatFrom(
  module: Deno.PointerValue,
  id: number,
  strings: string[],
): string | undefined {
  const out = new Uint8Array(OUT_CHARS * 2);
  const { text, args } = argumentArray(strings);
  const n = win32().kernel32.FormatMessageW(
    FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY |
      (strings.length === 0 ? FORMAT_MESSAGE_IGNORE_INSERTS : 0),
    module,
    id >>> 0,
    0,
    out,
    OUT_CHARS,
    strings.length === 0 ? null : args,
  );
  void text; // kept alive until here: the pointers in `args` point into it
  return n > 0 ? readWide(out, 0, n).replace(/\s+$/, "") : undefined;
}

/** Loads message DLLs once per reading of the logs; free() unloads them. */
export class MessageFiles {
  #modules = new Map<string, Deno.PointerValue[]>();

  /** The DLLs that hold `source`'s messages in `log`. */
  modules(log: string, source: string): Deno.PointerValue[] {
    const key = `${log}\0${source}`;
    const known = this.#modules.get(key);
    if (known) return known;
    const modules: Deno.PointerValue[] = [];
    using entry = openKey(
      HKLM,
      `SYSTEM\\CurrentControlSet\\Services\\EventLog\\${log}\\${source}`,
    );
    const files = entry?.text("EventMessageFile") ?? "";
    for (const file of files.split(";").map((f) => f.trim()).filter(Boolean).slice(0, 8)) {
      const module = this.load(expand(file));
      if (module !== null) modules.push(module);
    }
    this.#modules.set(key, modules);
    return modules;
  }

  load(path: string): Deno.PointerValue {
    return win32().kernel32.LoadLibraryExW(
      wide(path),
      null,
      LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE,
    );
  }

  /** The event's sentence, or undefined when no DLL of its source has it. */
  format(log: string, source: string, id: number, strings: string[]): string | undefined {
    for (const module of this.modules(log, source)) {
      const text = formatFrom(module, id, strings);
      if (text !== undefined) return text;
    }
    return undefined;
  }

  free(): void {
    const seen = new Set<unknown>();
    for (const modules of this.#modules.values()) {
      for (const module of modules) {
        const value = Deno.UnsafePointer.value(module);
        if (seen.has(value)) continue;
        seen.add(value);
        win32().kernel32.FreeLibrary(module);
      }
    }
    this.#modules.clear();
  }
}
