/**
 * Reading the Windows registry through advapi32 (RegOpenKeyExW, RegQueryValueExW,
 * RegEnumKeyExW, RegEnumValueW): strings, numbers and string lists, a key's subkeys and values.
 * HKEY roots are pointer-sized, sign-extended 32-bit values (HKEY_LOCAL_MACHINE is
 * 0xFFFFFFFF80000002 on Win64). Only read access is ever asked for.
 */
import { ERROR_MORE_DATA, readWide, readWideList, u32, u64, wide, win32 } from "./ffi.ts";

export const HKCU = 0xFFFF_FFFF_8000_0001n;
export const HKLM = 0xFFFF_FFFF_8000_0002n;

const KEY_READ = 0x20019;
/** The 64-bit and 32-bit (WOW6432Node) views of HKLM\SOFTWARE. */
export const KEY_WOW64_64KEY = 0x0100;
export const KEY_WOW64_32KEY = 0x0200;

const REG_SZ = 1;
const REG_EXPAND_SZ = 2;
const REG_BINARY = 3;
const REG_DWORD = 4;
const REG_MULTI_SZ = 7;
const REG_QWORD = 11;

export type RegValue = string | number | string[] | Uint8Array;

/** A value's data as JavaScript: strings, numbers, string lists or the raw bytes. */
export function decodeValue(type: number, data: Uint8Array): RegValue {
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
      return readWide(data);
    case REG_DWORD:
      return data.length >= 4 ? u32(data) : 0;
    case REG_QWORD:
      return data.length >= 8 ? Number(u64(data)) : 0;
    case REG_MULTI_SZ:
      return readWideList(data);
    default:
      return data;
  }
}

export { REG_BINARY };

/** An open key; close it (or use `using`). */
export class RegKey {
  constructor(readonly handle: Deno.PointerValue) {}

  /** A value, or undefined when it is not there. */
  get(name: string): RegValue | undefined {
    const { advapi32 } = win32();
    const type = new Uint8Array(4);
    const size = new Uint32Array([512]);
    for (let tries = 0; tries < 4; tries++) {
      const data = new Uint8Array(size[0] + 2);
      const sizeBytes = new Uint8Array(size.buffer);
      const rc = advapi32.RegQueryValueExW(this.handle, wide(name), null, type, data, sizeBytes);
      if (rc === ERROR_MORE_DATA) continue;
      if (rc !== 0) return undefined;
      return decodeValue(u32(type), data.subarray(0, size[0]));
    }
    return undefined;
  }

  /** A value as text (numbers written out), "" when it is not there. */
  text(name: string): string {
    const value = this.get(name);
    if (value === undefined || value instanceof Uint8Array) return "";
    return Array.isArray(value) ? value.join(" ") : String(value);
  }

  /** The names of the subkeys. */
  subkeys(max = 20_000): string[] {
    const { advapi32 } = win32();
    const out: string[] = [];
    const name = new Uint8Array(512 * 2);
    const size = new Uint32Array(1);
    for (let i = 0; i < max; i++) {
      size[0] = 512;
      const rc = advapi32.RegEnumKeyExW(
        this.handle,
        i,
        name,
        new Uint8Array(size.buffer),
        null,
        null,
        null,
        null,
      );
      if (rc !== 0) break; // ERROR_NO_MORE_ITEMS, or the key went away
      out.push(readWide(name, 0, size[0]));
    }
    return out;
  }

  /** Every value: name and data. */
  values(max = 5000): { name: string; value: RegValue }[] {
    const { advapi32 } = win32();
    const out: { name: string; value: RegValue }[] = [];
    const name = new Uint8Array(16_384 * 2);
    const type = new Uint8Array(4);
    for (let i = 0; i < max; i++) {
      const nameSize = new Uint32Array([16_384]);
      const dataSize = new Uint32Array([8192]);
      const data = new Uint8Array(8192 + 2);
      const rc = advapi32.RegEnumValueW(
        this.handle,
        i,
        name,
        new Uint8Array(nameSize.buffer),
        null,
        type,
        data,
        new Uint8Array(dataSize.buffer),
      );
      if (rc === ERROR_MORE_DATA) {
        // Longer than 8 KiB: read it by name.
        const valueName = readWide(name, 0, nameSize[0]);
        const value = this.get(valueName);
        if (value !== undefined) out.push({ name: valueName, value });
        continue;
      }
      if (rc !== 0) break;
      out.push({
        name: readWide(name, 0, nameSize[0]),
        value: decodeValue(u32(type), data.subarray(0, dataSize[0])),
      });
    }
    return out;
  }

  close(): void {
    win32().advapi32.RegCloseKey(this.handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens `root\path` for reading; undefined when it does not exist or may not be read. */
export function openKey(root: bigint, path: string, view = 0): RegKey | undefined {
  const out = new BigUint64Array(1);
  const rc = win32().advapi32.RegOpenKeyExW(
    Deno.UnsafePointer.create(root),
    wide(path),
    0,
    KEY_READ | view,
    new Uint8Array(out.buffer),
  );
  return rc === 0 ? new RegKey(Deno.UnsafePointer.create(out[0])) : undefined;
}

/** The root's name as Windows writes it. */
export function rootName(root: bigint): string {
  return root === HKLM ? "HKEY_LOCAL_MACHINE" : "HKEY_CURRENT_USER";
}
