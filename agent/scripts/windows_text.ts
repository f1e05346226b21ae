/**
 * A script's text on Windows, where cmd.exe is not a UTF-8 program. It reads a batch file in the
 * OEM code page (850 on a Western European Windows), so a .bat/.cmd is written in it when every
 * character has a place there (else as UTF-8, as before); Windows PowerShell 5.1 reads a .ps1
 * without a byte-order mark as ANSI, so a .ps1 gets the UTF-8 BOM. What the script prints comes
 * back in the console's output code page (cmd's own commands and most console programs; Wine's
 * cmd uses the ANSI one when there is no console): each stream is read as UTF-8 while it is
 * valid UTF-8, and in that code page from the first byte that is not (kernel32's conversions,
 * so every Windows code page is known).
 */

const KERNEL32 = {
  /** (code page, flags, wide*, wide chars, bytes*, size, default char*, used default* (BOOL)) */
  WideCharToMultiByte: {
    parameters: ["u32", "u32", "buffer", "i32", "buffer", "i32", "buffer", "buffer"],
    result: "i32",
  },
  /** (code page, flags, bytes*, size, wide*, wide chars) */
  MultiByteToWideChar: {
    parameters: ["u32", "u32", "buffer", "i32", "buffer", "i32"],
    result: "i32",
  },
  GetConsoleOutputCP: { parameters: [], result: "u32" },
  GetACP: { parameters: [], result: "u32" },
  GetOEMCP: { parameters: [], result: "u32" },
} as const;

let _kernel32: Deno.DynamicLibrary<typeof KERNEL32>["symbols"] | undefined;
function _lib() {
  _kernel32 ??= Deno.dlopen("kernel32.dll", KERNEL32).symbols;
  return _kernel32;
}

const CP_UTF8 = 65001;
const UTF8_BOM = new Uint8Array([0xEF, 0xBB, 0xBF]);

function _utf16(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xFF;
    out[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}

/** `text` in code page `cp`, or undefined when a character has no place there. */
export function encodeIn(cp: number, text: string): Uint8Array | undefined {
  if (text === "") return new Uint8Array(0);
  const lib = _lib();
  const wide = _utf16(text);
  const usedDefault = new Int32Array(1);
  const size = lib.WideCharToMultiByte(cp, 0, wide, text.length, null, 0, null, null);
  if (size <= 0) return undefined;
  const out = new Uint8Array(size);
  const written = lib.WideCharToMultiByte(
    cp,
    0,
    wide,
    text.length,
    out,
    size,
    null,
    new Uint8Array(usedDefault.buffer),
  );
  return written === size && usedDefault[0] === 0 ? out : undefined;
}

/** `bytes` read in code page `cp`. */
export function decodeIn(cp: number, bytes: Uint8Array): string {
  if (bytes.length === 0) return "";
  const lib = _lib();
  const chars = lib.MultiByteToWideChar(cp, 0, bytes, bytes.length, null, 0);
  if (chars <= 0) return new TextDecoder().decode(bytes);
  const out = new Uint8Array(chars * 2);
  lib.MultiByteToWideChar(cp, 0, bytes, bytes.length, out, chars);
  return new TextDecoder("utf-16le").decode(out);
}

/** The bytes of the script file `fileName` for the program that will read it. */
export function windowsScriptBytes(fileName: string, text: string): Uint8Array {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? "";
  if (extension === "bat" || extension === "cmd") {
    return encodeIn(_lib().GetOEMCP(), text) ?? new TextEncoder().encode(text);
  }
  const utf8 = new TextEncoder().encode(text);
  if (extension !== "ps1") return utf8;
  const out = new Uint8Array(UTF8_BOM.length + utf8.length);
  out.set(UTF8_BOM);
  out.set(utf8, UTF8_BOM.length);
  return out;
}

/** The code page a child's output arrives in: the console's, or ANSI without a console. */
export function outputCodePage(): number {
  const lib = _lib();
  return lib.GetConsoleOutputCP() || lib.GetACP();
}

/**
 * A stream's decoder: UTF-8 while the bytes are valid UTF-8, then `cp` for the rest (a single
 * script rarely mixes the two). `flush()` gives what an unfinished UTF-8 sequence held back.
 */
export function outputDecoder(cp = outputCodePage()) {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let legacy = cp === CP_UTF8;
  return {
    decode(bytes: Uint8Array): string {
      if (!legacy) {
        try {
          return utf8.decode(bytes, { stream: true });
        } catch {
          legacy = true; // this chunk again, from its start, in the code page
        }
      }
      return cp === CP_UTF8 ? new TextDecoder().decode(bytes) : decodeIn(cp, bytes);
    },
    flush(): string {
      if (legacy) return "";
      try {
        return utf8.decode();
      } catch {
        return "\uFFFD";
      }
    },
  };
}
