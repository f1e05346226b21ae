/**
 * The dashboard's facts about a Windows computer: its name (GetComputerNameExW), edition and
 * version (the registry's CurrentVersion key, RtlGetVersion for the kernel's numbers), BIOS
 * (HARDWARE\DESCRIPTION\System\BIOS), processor (CentralProcessor\0, GetNativeSystemInfo,
 * GetSystemTimes), memory (GlobalMemoryStatusEx), start (GetTickCount64) and disks
 * (GetLogicalDriveStringsW, GetDriveTypeW, GetVolumeInformationW, GetDiskFreeSpaceExW).
 */
import type { Section, Snapshot } from "../../../protocol/system.ts";
import { readWide, readWideList, u32, u64, wide, win32 } from "./ffi.ts";
import { HKLM, openKey } from "./registry.ts";

const CURRENT_VERSION = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
const BIOS = "HARDWARE\\DESCRIPTION\\System\\BIOS";
const CPU0 = "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0";

function _missingKey(path: string): Section<never> {
  return {
    available: false,
    why: "no_source",
    about: "missing",
    detail: `HKEY_LOCAL_MACHINE\\${path}`,
  };
}

export function hostname(): Section<string> {
  const name = new Uint8Array(512);
  const size = new Uint32Array([256]);
  // ComputerNameDnsHostname (1); NetBIOS name (0) as a fallback.
  for (const format of [1, 0]) {
    size[0] = 256;
    if (win32().kernel32.GetComputerNameExW(format, name, new Uint8Array(size.buffer))) {
      return { available: true, value: readWide(name, 0, size[0]).slice(0, 255) };
    }
  }
  return { available: false, why: "failed", about: "call_failed", detail: "GetComputerNameExW" };
}

/** ProductName, with Windows 11's own name (its registry still says "Windows 10"). */
export function osName(productName: string, build: number): string {
  return build >= 22000 && /^Windows 10\b/.test(productName)
    ? productName.replace(/^Windows 10/, "Windows 11")
    : productName;
}

/** "22H2 (build 19045.3570)" from DisplayVersion (or ReleaseId), CurrentBuild and UBR. */
export function osVersion(display: string, build: string, ubr: number | undefined): string {
  const number = build ? `build ${build}${ubr !== undefined ? `.${ubr}` : ""}` : "";
  return display && number ? `${display} (${number})` : display || number;
}

export function osSection(): Snapshot["os"] {
  using key = openKey(HKLM, CURRENT_VERSION);
  if (!key) return _missingKey(CURRENT_VERSION);
  const build = key.text("CurrentBuild") || key.text("CurrentBuildNumber");
  const ubr = key.get("UBR");
  return {
    available: true,
    value: {
      name: osName(key.text("ProductName") || "Windows", Number(build)).slice(0, 200),
      id: "windows",
      version: osVersion(
        key.text("DisplayVersion") || key.text("ReleaseId"),
        build,
        typeof ubr === "number" ? ubr : undefined,
      ).slice(0, 100),
    },
  };
}

const ARCH: Record<number, string> = { 0: "x86", 5: "arm", 9: "x86_64", 12: "aarch64" };

/** SYSTEM_INFO (48 bytes on x64): architecture at 0, number of processors at 32. */
function _systemInfo(): { arch: string; logical: number } {
  const info = new Uint8Array(48);
  win32().kernel32.GetNativeSystemInfo(info);
  const arch = new DataView(info.buffer).getUint16(0, true);
  return { arch: ARCH[arch] ?? `architecture ${arch}`, logical: u32(info, 32) };
}

export function kernelSection(): Snapshot["kernel"] {
  // RTL_OSVERSIONINFOW (276 bytes): major 4, minor 8, build 12, szCSDVersion at 20.
  const info = new Uint8Array(276);
  new DataView(info.buffer).setUint32(0, 276, true);
  if (win32().ntdll.RtlGetVersion(info) !== 0) {
    return { available: false, why: "failed", about: "call_failed", detail: "RtlGetVersion" };
  }
  const service = readWide(info, 20, 128);
  return {
    available: true,
    value: {
      release: `${u32(info, 4)}.${u32(info, 8)}.${u32(info, 12)}`,
      version: `Windows NT${service ? ` ${service}` : ""}`.slice(0, 300),
      machine: _systemInfo().arch,
    },
  };
}

export function firmwareSection(): Snapshot["firmware"] {
  using key = openKey(HKLM, BIOS);
  if (!key) return _missingKey(BIOS);
  const t = (name: string) => key.text(name).trim().slice(0, 200);
  const value = {
    biosVendor: t("BIOSVendor"),
    biosVersion: t("BIOSVersion"),
    biosDate: t("BIOSReleaseDate").slice(0, 64),
    systemVendor: t("SystemManufacturer"),
    productName: t("SystemProductName"),
    boardName: t("BaseBoardProduct"),
  };
  if (Object.values(value).every((v) => v === "")) {
    // The key is there but empty (Wine fills it only when it may read the SMBIOS tables).
    return {
      available: false,
      why: "no_source",
      about: "none_found",
      detail: `BIOSVendor, BIOSVersion, SystemManufacturer… in HKEY_LOCAL_MACHINE\\${BIOS}`,
    };
  }
  return { available: true, value };
}

export function bootSection(): Snapshot["boot"] {
  const uptimeMs = Number(win32().kernel32.GetTickCount64());
  return {
    available: true,
    value: {
      bootTime: new Date(Date.now() - uptimeMs).toISOString(),
      uptimeSeconds: Math.round(uptimeMs / 1000),
    },
  };
}

export interface CpuTimes {
  idle: bigint;
  /** kernel (idle included) + user */
  total: bigint;
}

export function cpuTimes(): CpuTimes | undefined {
  const [idle, kernel, user] = [0, 1, 2].map(() => new Uint8Array(8));
  if (!win32().kernel32.GetSystemTimes(idle, kernel, user)) return undefined;
  return { idle: u64(idle), total: u64(kernel) + u64(user) };
}

/** Busy share of all processors between two GetSystemTimes readings. */
export function cpuUsage(before?: CpuTimes, after?: CpuTimes): number | null {
  if (!before || !after) return null;
  const total = Number(after.total - before.total);
  if (total <= 0) return null;
  const busy = 1 - Number(after.idle - before.idle) / total;
  return Math.round(Math.min(1, Math.max(0, busy)) * 1000) / 10;
}

export function cpuSection(usagePercent: number | null): Snapshot["cpu"] {
  const { logical } = _systemInfo();
  using key = openKey(HKLM, CPU0);
  const model = key ? (key.text("ProcessorNameString") || key.text("Identifier")).trim() : "";
  return {
    available: true,
    value: {
      model: model.slice(0, 200),
      logical,
      load1: null,
      load5: null,
      load15: null,
      usagePercent,
    },
  };
}

/**
 * MEMORYSTATUSEX (64 bytes): physical total 8, available 16, commit limit 24, available 32.
 * Swap is the page file: the commit limit less physical memory.
 */
export function memorySection(): Snapshot["memory"] {
  const status = new Uint8Array(64);
  new DataView(status.buffer).setUint32(0, 64, true);
  if (!win32().kernel32.GlobalMemoryStatusEx(status)) {
    return {
      available: false,
      why: "failed",
      about: "call_failed",
      detail: "GlobalMemoryStatusEx",
    };
  }
  const n = (at: number) => Number(u64(status, at));
  return {
    available: true,
    value: {
      totalBytes: n(8),
      availableBytes: n(16),
      swapTotalBytes: Math.max(0, n(24) - n(8)),
      swapFreeBytes: Math.max(0, n(32) - n(16)),
    },
  };
}

export const DRIVE_TYPES: Record<number, string> = {
  2: "removable",
  3: "fixed",
  4: "network",
  5: "CD/DVD",
  6: "RAM disk",
};

/** How long one drive may take to answer before it is left out (a dead network share). */
const DRIVE_TIMEOUT_MS = 3_000;

export function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
  ]).finally(() => clearTimeout(timer));
}

export async function disksSection(): Promise<Snapshot["disks"]> {
  const { kernel32 } = win32();
  const list = new Uint8Array(4096);
  const length = kernel32.GetLogicalDriveStringsW(2047, list);
  if (length === 0) {
    return {
      available: false,
      why: "failed",
      about: "call_failed",
      detail: "GetLogicalDriveStringsW",
    };
  }
  // No "insert a disk" box for an empty card reader or DVD drive.
  const before = kernel32.SetErrorMode(0x0001 /* SEM_FAILCRITICALERRORS */);
  try {
    const rows = [];
    for (const root of readWideList(list.subarray(0, length * 2 + 2)).slice(0, 200)) {
      const path = wide(root);
      const type = kernel32.GetDriveTypeW(path);
      if (type === 5) continue; // optical: a disc is not storage the customer fills
      const [available, total, free] = [0, 1, 2].map(() => new Uint8Array(8));
      const label = new Uint8Array(522);
      const fs = new Uint8Array(522);
      // Both at once, each on its own thread; a drive that does not answer in time is left
      // out (its buffers stay with the call, which may still write them).
      const [sized, named] = await Promise.all([
        within(kernel32.GetDiskFreeSpaceExW(path, available, total, free), DRIVE_TIMEOUT_MS),
        within(
          kernel32.GetVolumeInformationW(path, label, 261, null, null, null, fs, 261),
          DRIVE_TIMEOUT_MS,
        ),
      ]);
      if (!sized) continue; // no medium, or no answer
      const kind = DRIVE_TYPES[type] ?? "drive";
      const volume = named ? readWide(label) : "";
      rows.push({
        device: (volume ? `${volume} (${kind})` : kind).slice(0, 300),
        mount: root.slice(0, 1000),
        fsType: (named ? readWide(fs) : "").slice(0, 64),
        totalBytes: Number(u64(total)),
        freeBytes: Number(u64(free)),
        availableBytes: Number(u64(available)),
      });
    }
    return { available: true, value: rows };
  } finally {
    kernel32.SetErrorMode(before);
  }
}
