/**
 * Checks one translation against English: `deno run --allow-read tools/locale_check.ts de`
 * (`--all`: one line per language, what each still needs).
 * Reads `locales/<lang>.json` and `agent/locales/<lang>.json` and prints, per file, the keys
 * missing and extra, the plural forms the language needs (from `Intl.PluralRules`: a pair
 * `x_one`/`x_other` in English is `x_other` alone in Japanese, `x_one`/`x_few`/`x_many`/
 * `x_other` in Russian), `{{placeholders}}` and `<tags>` that differ, and empty values.
 * Exits 1 when anything is wrong. With `--merge <dir>` it first writes those files from chunk
 * files (below), so a translation can be made a few sections at a time. `--source` prints the
 * English to translate (a customer language's is the customer's side only). The locales tests (modules/i18n/locales_test.ts) check the
 * same rules with `localeProblems()`.
 */
import {
  flatten,
  inCustomerScope,
  isCustomerOnly,
  localeProblems,
} from "../modules/i18n/locale_rules.ts";

if (Deno.args[0] === "--all") {
  // One line per language: what a new English string still needs, everywhere at once.
  const names = [...Deno.readDirSync(new URL("../locales/", import.meta.url))]
    .map((e) => e.name.replace(/\.json$/, "")).filter((n) => n !== "en").sort();
  let open = 0;
  for (const name of names) {
    const status = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", new URL(import.meta.url).pathname, name],
      stdout: "piped",
    }).output();
    const lines = new TextDecoder().decode(status.stdout).split("\n")
      .filter((l) => l.startsWith("  "));
    if (lines.length) open++;
    console.log(`${name}: ${lines.length ? `${lines.length} to do, e.g.${lines[0]}` : "ok"}`);
  }
  Deno.exit(open ? 1 : 0);
}

const [lang, flag, chunks] = Deno.args;
if (!lang || (flag !== undefined && !(flag === "--merge" && chunks) && flag !== "--source")) {
  console.error("usage: tools/locale_check.ts <lang> [--merge <dir of chunk files> | --source]");
  Deno.exit(2);
}
if (flag === "--source") {
  // The English to translate: all of it for a staff language, the customer's side for a
  // customer language (SPEC L2), nested as in en.json.
  const en = JSON.parse(await Deno.readTextFile(new URL("../locales/en.json", import.meta.url)));
  const keep = isCustomerOnly(lang) ? inCustomerScope : () => true;
  const out: Record<string, unknown> = {};
  for (const [key, value] of flatten(en)) {
    if (!keep(key)) continue;
    const path = key.split(".");
    let node = out;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = value;
  }
  console.log(JSON.stringify(out, null, 2));
  Deno.exit(0);
}
if (flag === "--merge") await merge(lang, chunks);

/**
 * Writes `locales/<lang>.json` from the `*.json` files in `dir`, each holding some of the
 * top-level sections (`{"signin": {…}, "twofa": {…}}`), in English's order of sections; a
 * section in two files is an error. A file named `agent.json` becomes
 * `agent/locales/<lang>.json` as it is.
 */
async function merge(lang: string, dir: string): Promise<void> {
  const en = JSON.parse(await Deno.readTextFile(new URL("../locales/en.json", import.meta.url)));
  const sections = new Map<string, unknown>();
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".json"))
    .sort();
  for (const name of names) {
    const text = await Deno.readTextFile(`${dir}/${name}`);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      console.error(`${dir}/${name}: ${(error as Error).message}`);
      Deno.exit(1);
    }
    if (name === "agent.json") {
      await Deno.writeTextFile(
        new URL(`../agent/locales/${lang}.json`, import.meta.url),
        JSON.stringify(parsed, null, 2) + "\n",
      );
      continue;
    }
    for (const [section, value] of Object.entries(parsed)) {
      if (sections.has(section)) {
        console.error(`${section} is in two chunk files (${name} and an earlier one)`);
        Deno.exit(1);
      }
      sections.set(section, value);
    }
  }
  const ordered: Record<string, unknown> = {};
  for (const section of Object.keys(en)) {
    if (sections.has(section)) ordered[section] = sections.get(section);
  }
  for (const [section, value] of sections) ordered[section] ??= value; // reported as extra
  await Deno.writeTextFile(
    new URL(`../locales/${lang}.json`, import.meta.url),
    JSON.stringify(ordered, null, 2) + "\n",
  );
}

let bad = 0;
for (const dir of ["locales", "agent/locales"]) {
  const read = async (name: string) =>
    JSON.parse(await Deno.readTextFile(new URL(`../${dir}/${name}.json`, import.meta.url)));
  let theirs: unknown;
  try {
    theirs = await read(lang);
  } catch (error) {
    console.log(`${dir}/${lang}.json: ${(error as Error).message}`);
    bad++;
    continue;
  }
  const problems = localeProblems(lang, await read("en"), theirs, {
    scope: dir === "locales" ? undefined : "all",
  });
  console.log(`${dir}/${lang}.json: ${problems.length === 0 ? "ok" : ""}`);
  for (const problem of problems.slice(0, 200)) console.log(`  ${problem}`);
  if (problems.length > 200) console.log(`  … and ${problems.length - 200} more`);
  bad += problems.length;
}
Deno.exit(bad === 0 ? 0 : 1);
