/**
 * Installed applications from every package system present: dpkg (Debian, Ubuntu), rpm
 * (Fedora, SUSE), flatpak and snap. A system that is not installed is "not available", one
 * whose tool fails says why; the others still show.
 */
import type { Applications, AppRow, AppSource } from "../../../protocol/system.ts";
import { APPS_MAX } from "../../../protocol/system.ts";
import { runTool, ToolMissing } from "../run.ts";

const TAB = "\t";

/** dpkg-query -W -f '${Package}\t${Version}\t${Installed-Size}\t${db:Status-Abbrev}\t${binary:Summary}\n' */
export function parseDpkg(text: string): AppRow[] {
  const out: AppRow[] = [];
  for (const line of text.split("\n")) {
    const [name, version, size, status, summary] = line.split(TAB);
    // "ii " installed; "rc " removed with its configuration left: not an application any more.
    if (!name || !status?.startsWith("i")) continue;
    out.push(_row("dpkg", name, version, summary, size ? Number(size) * 1024 : null));
  }
  return out;
}

/** rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\t%{SIZE}\t%{SUMMARY}\n' */
export function parseRpm(text: string): AppRow[] {
  return text.split("\n").filter((l) => l.includes(TAB)).map((line) => {
    const [name, version, size, summary] = line.split(TAB);
    return _row("rpm", name, version, summary, size ? Number(size) : null);
  });
}

/** flatpak list --app --columns=application,version,name */
export function parseFlatpak(text: string): AppRow[] {
  return text.split("\n").filter((l) => l.trim()).map((line) => {
    const [id, version, name] = line.split(TAB);
    return _row("flatpak", id, version ?? "", name ?? "", null);
  });
}

/** snap list: a header line, then Name Version Rev Tracking Publisher Notes. */
export function parseSnap(text: string): AppRow[] {
  return text.split("\n").slice(1).filter((l) => l.trim()).map((line) => {
    const [name, version] = line.trim().split(/\s+/);
    return _row("snap", name, version ?? "", "", null);
  });
}

function _row(
  source: AppSource,
  name: string,
  version: string | undefined,
  summary: string | undefined,
  size: number | null,
): AppRow {
  return {
    source,
    name: name.slice(0, 256),
    version: (version ?? "").slice(0, 256),
    summary: (summary ?? "").slice(0, 300),
    sizeBytes: size !== null && Number.isFinite(size) && size >= 0 ? size : null,
  };
}

/** Linux's package systems (registry is Windows's: windows/software.ts). */
const TOOLS: Record<
  Exclude<AppSource, "registry">,
  { command: string; args: string[]; parse: (t: string) => AppRow[] }
> = {
  dpkg: {
    command: "dpkg-query",
    args: [
      "-W",
      "-f",
      "${Package}\t${Version}\t${Installed-Size}\t${db:Status-Abbrev}\t${binary:Summary}\n",
    ],
    parse: parseDpkg,
  },
  rpm: {
    command: "rpm",
    args: ["-qa", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\t%{SIZE}\t%{SUMMARY}\n"],
    parse: parseRpm,
  },
  flatpak: {
    command: "flatpak",
    args: ["list", "--app", "--columns=application,version,name"],
    parse: parseFlatpak,
  },
  snap: { command: "snap", args: ["list"], parse: parseSnap },
};

type _Result = {
  source: AppSource;
  rows: AppRow[];
  status: Applications["sources"][number]["status"];
};

export async function listApplications(signal?: AbortSignal): Promise<Applications> {
  const results = await Promise.all(
    (Object.keys(TOOLS) as (keyof typeof TOOLS)[]).map(async (source): Promise<_Result> => {
      const tool = TOOLS[source];
      try {
        const out = await runTool(tool.command, tool.args, { signal, timeoutMs: 30_000 });
        if (out.code !== 0) {
          return {
            source,
            rows: [],
            status: {
              available: false,
              why: "failed",
              about: "message",
              detail: `${tool.command}: ${out.stderr.trim()}`.slice(0, 500),
            },
          };
        }
        const rows = tool.parse(out.stdout);
        return { source, rows, status: { available: true, value: { count: rows.length } } };
      } catch (error) {
        const missing = error instanceof ToolMissing;
        return {
          source,
          rows: [],
          status: {
            available: false,
            why: missing ? "no_tool" : "failed",
            about: missing ? "not_installed" : "message",
            detail: missing ? tool.command : String(error).slice(0, 500),
          },
        };
      }
    }),
  );
  const apps = results.flatMap((r) => r.rows).sort((a, b) => a.name.localeCompare(b.name));
  return {
    sources: results.map(({ source, status }) => ({ source, status })),
    apps: apps.slice(0, APPS_MAX),
    truncated: apps.length > APPS_MAX,
  };
}
