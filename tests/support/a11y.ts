/**
 * Accessibility checks run inside a Playwright page (issue 13): axe-core for the standard
 * rules, and our own landmark, contrast and focus-ring checks, written out so a failure names
 * the element and the figures. Each returns a list of findings; the tests assert it is empty.
 */
import axe from "axe-core";
import type { Page } from "playwright-core";

export const SCHEMES = ["light", "dark", "system", "contrast"] as const;
export type Scheme = typeof SCHEMES[number];

export interface Finding {
  rule: string;
  detail: string;
}

/** Sets the colour scheme the way static/alerts.js does; "system" runs with a dark OS, so it
 * differs from "light". */
export async function applyScheme(page: Page, scheme: Scheme) {
  await page.emulateMedia({ colorScheme: scheme === "system" ? "dark" : "light" });
  await page.evaluate((s) => document.documentElement.dataset.scheme = s, scheme);
}

/** The axe-core rules behind (a) landmarks, (b) names and (c) contrast. */
const AXE_RULES = [
  "landmark-one-main",
  "landmark-unique",
  "landmark-no-duplicate-banner",
  "landmark-no-duplicate-main",
  "landmark-banner-is-top-level",
  "landmark-main-is-top-level",
  "landmark-complementary-is-top-level",
  "landmark-contentinfo-is-top-level",
  "region",
  "bypass",
  "button-name",
  "link-name",
  "input-button-name",
  "label",
  "select-name",
  "summary-name",
  "aria-input-field-name",
  "aria-toggle-field-name",
  "aria-command-name",
  "frame-title",
  "image-alt",
  "color-contrast",
];

/**
 * Has axe-core evaluated in every document `page` loads from now on, before the page's own
 * scripts (through the debugger, so the page's CSP does not apply), instead of on each page's
 * first audit: that first audit cost 2–9 s per page at load 20, 0.2–2.9 s with this.
 */
export async function preloadAxe(page: Page) {
  await page.addInitScript({ content: axe.source });
}

/** axe-core over the page (evaluated through the debugger, so the page's CSP does not apply). */
export async function axeFindings(page: Page): Promise<Finding[]> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(axe.source);
  return await page.evaluate(async (rules) => {
    // deno-lint-ignore no-explicit-any
    const a = (globalThis as any).axe;
    // Only violations are read: with resultTypes, axe still checks every node but builds the
    // details (a CSS selector per node, the slow part) of passing and inapplicable ones for
    // one node per rule instead of all.
    const result = await a.run(document, {
      runOnly: { type: "rule", values: rules },
      resultTypes: ["violations"],
    });
    // deno-lint-ignore no-explicit-any
    return result.violations.flatMap((v: any) =>
      // deno-lint-ignore no-explicit-any
      v.nodes.map((n: any) => ({
        rule: `axe:${v.id}`,
        detail: `${n.target.join(" ")} — ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`,
      }))
    );
  }, AXE_RULES);
}

/** (a) Exactly one main, a banner, a nav where there are links in the header, and every
 * landmark of a kind that occurs more than once labelled, each label different. */
export async function landmarkFindings(page: Page): Promise<Finding[]> {
  return await page.evaluate(() => {
    const found: { rule: string; detail: string }[] = [];
    const visible = (e: Element) => (e as HTMLElement).checkVisibility?.() ?? true;
    const roleOf = (e: Element): string | null => {
      const explicit = e.getAttribute("role");
      if (explicit) return explicit;
      const tag = e.tagName.toLowerCase();
      const inSection = e.parentElement?.closest("article, aside, main, nav, section");
      if (tag === "main") return "main";
      if (tag === "nav") return "navigation";
      if (tag === "aside") return "complementary";
      if (tag === "header") return inSection ? null : "banner";
      if (tag === "footer") return inSection ? null : "contentinfo";
      if (tag === "section" || tag === "form") return labelOf(e) ? "region" : null;
      return null;
    };
    const labelOf = (e: Element) => {
      const by = e.getAttribute("aria-labelledby");
      if (by) {
        return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" ").trim();
      }
      return (e.getAttribute("aria-label") ?? "").trim();
    };
    const landmarks = [...document.querySelectorAll("*")].filter(visible)
      .map((e) => ({ e, role: roleOf(e) }))
      .filter((l) =>
        ["main", "navigation", "complementary", "banner", "contentinfo", "region", "search"]
          .includes(l.role ?? "")
      );
    const count = (role: string) => landmarks.filter((l) => l.role === role).length;
    if (count("main") !== 1) {
      found.push({ rule: "one-main", detail: `${count("main")} main landmarks` });
    }
    if (count("banner") !== 1) {
      found.push({ rule: "banner", detail: `${count("banner")} banner landmarks` });
    }
    const header = document.querySelector("body > header");
    if (
      header && header.querySelectorAll("a[href], button").length > 1 && count("navigation") < 1
    ) {
      found.push({ rule: "nav", detail: "the header has links but no nav" });
    }
    for (const role of new Set(landmarks.map((l) => l.role))) {
      const same = landmarks.filter((l) => l.role === role);
      if (same.length < 2) continue;
      const labels = same.map((l) => labelOf(l.e));
      same.forEach((l, i) => {
        if (!labels[i]) {
          found.push({
            rule: "landmark-label",
            detail: `unlabelled ${role}: ${l.e.outerHTML.slice(0, 80)}`,
          });
        } else if (labels.indexOf(labels[i]) !== i) {
          found.push({
            rule: "landmark-label",
            detail: `two ${role} landmarks named “${labels[i]}”`,
          });
        }
      });
    }
    return found;
  });
}

/** (c) The contrast of every visible text node's element against the first opaque background
 * up its ancestors (semi-transparent layers blended in): 4.5:1, or 3:1 for large text. Disabled
 * controls and their labels are exempt (WCAG 1.4.3), as is text that is visually hidden. */
export async function contrastFindings(page: Page): Promise<Finding[]> {
  return await page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const probe = document.createElement("canvas").getContext("2d")!;
    const parse = (css: string): RGBA => {
      const m = /rgba?\(([^)]+)\)/.exec(css);
      if (m) {
        const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
        return [parts[0], parts[1], parts[2], parts[3] ?? 1];
      }
      // color(srgb …) and other forms: let a canvas normalise them.
      probe.fillStyle = "#000";
      probe.fillStyle = css;
      const v = String(probe.fillStyle);
      if (v.startsWith("#")) {
        return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16)).concat(1) as RGBA;
      }
      return parse(v);
    };
    const over = (top: RGBA, bottom: RGBA): RGBA => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1) as RGBA;
    };
    const luminance = (c: RGBA) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const canvas: RGBA = matchMedia("(prefers-color-scheme: dark)").matches &&
        getComputedStyle(document.documentElement).colorScheme.includes("dark")
      ? [18, 18, 18, 1]
      : [255, 255, 255, 1];
    const backgroundOf = (e: Element | null): RGBA => {
      const layers: RGBA[] = [];
      for (let n = e; n; n = n.parentElement) {
        const bg = parse(getComputedStyle(n).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      return layers.reverse().reduce((acc, layer) => over(layer, acc), canvas);
    };
    const found: { rule: string; detail: string }[] = [];
    const seen = new Set<Element>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const e = node.parentElement;
      if (!e || seen.has(e) || !node.textContent?.trim()) continue;
      seen.add(e);
      if (e.closest("script, style, noscript, option, [hidden], [inert]")) continue;
      if (!e.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const rect = e.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) continue;
      if (e.closest(":disabled, [aria-disabled=true]")) continue;
      // A disabled control's label is part of that inactive control.
      const control = e.closest("label")?.control;
      if (control && (control as HTMLInputElement).disabled) continue;
      const style = getComputedStyle(e);
      let opacity = 1;
      for (let n: Element | null = e; n; n = n.parentElement) {
        opacity *= Number(getComputedStyle(n).opacity);
      }
      const bg = backgroundOf(e);
      const fgRaw = parse(style.color);
      const fg = over([fgRaw[0], fgRaw[1], fgRaw[2], fgRaw[3] * opacity], bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const need = large ? 3 : 4.5;
      if (ratio < need) {
        const path = [
          e.tagName.toLowerCase(),
          e.id && `#${e.id}`,
          e.classList[0] && `.${e.classList[0]}`,
        ]
          .join("");
        found.push({
          rule: "contrast",
          detail:
            `${path} “${node.textContent.trim().slice(0, 30)}” ${ratio.toFixed(2)}:1 < ${need} ` +
            `(${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(", ")}))`,
        });
      }
    }
    return found;
  });
}

/** The visible ring of the focused element: outline and box-shadow. */
export function ringOf(page: Page) {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    return {
      outline: s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0
        ? "none"
        : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
      shadow: s.boxShadow,
    };
  });
}

/** Groups findings into "rule: count" for the report. */
export function tally(findings: Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.rule] = (out[f.rule] ?? 0) + 1;
  return out;
}
