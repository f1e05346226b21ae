/**
 * Desktop autostart entries (the XDG Autostart spec): .desktop files in the user's
 * ~/.config/autostart, which override the system's /etc/xdg/autostart of the same name.
 */
export interface AutostartEntry {
  name: string;
  command: string;
  file: string;
  enabled: boolean;
}

/** The [Desktop Entry] group of a .desktop file. */
export function parseDesktopEntry(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let inGroup = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      inGroup = line === "[Desktop Entry]";
      continue;
    }
    const at = line.indexOf("=");
    if (!inGroup || at < 1 || line.startsWith("#")) continue;
    const key = line.slice(0, at).trim();
    if (!(key in out)) out[key] = line.slice(at + 1).trim();
  }
  return out;
}

export function autostartEntry(text: string, file: string): AutostartEntry {
  const entry = parseDesktopEntry(text);
  const enabled = entry.Hidden !== "true" && entry["X-GNOME-Autostart-enabled"] !== "false";
  return {
    name: (entry.Name ?? file.split("/").pop() ?? "").slice(0, 300),
    command: (entry.Exec ?? "").slice(0, 1000),
    file: file.slice(0, 1000),
    enabled,
  };
}

/** The autostart folders in the spec's order of precedence (user first). */
export function autostartDirs(
  env: { home?: string; xdgConfigHome?: string; xdgConfigDirs?: string },
) {
  const user = env.xdgConfigHome || (env.home ? `${env.home}/.config` : undefined);
  const system = (env.xdgConfigDirs || "/etc/xdg").split(":").filter(Boolean);
  return [...(user ? [user] : []), ...system].map((dir) => `${dir}/autostart`);
}

export async function readAutostart(
  dirs: string[],
): Promise<{ entries: AutostartEntry[]; found: number }> {
  const seen = new Set<string>();
  const entries: AutostartEntry[] = [];
  let found = 0;
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".desktop")) names.push(e.name);
      found++;
    } catch {
      continue;
    }
    names = names.sort();
    for (const name of names) {
      if (seen.has(name)) continue; // the user's file of the same name wins
      seen.add(name);
      try {
        entries.push(autostartEntry(await Deno.readTextFile(`${dir}/${name}`), `${dir}/${name}`));
      } catch { /* unreadable: skipped */ }
    }
  }
  return { entries, found };
}
