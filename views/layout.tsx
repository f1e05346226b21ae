import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { PageContext } from "../modules/http/mod.ts";
import { can } from "../modules/permissions/mod.ts";
import { languageTag, textDirection } from "../modules/i18n/mod.ts";

// No inline style from htmx (the CSP has no 'unsafe-inline'): no indicator <style>, and no
// copying of a `style` attribute onto swapped-in content (a textarea the user resized has one).
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  attributesToSettle: ["class", "width", "height"],
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
});

/**
 * The page shell: head, top navigation for signed-in users, a flash region, the content.
 * `stylesheets` are the page's own (the console's shell); `status` is shown in the header
 * before the links (the technician's own status on the console).
 */
export function Layout(
  props: {
    c: PageContext;
    title: string;
    children?: Child;
    bare?: boolean;
    stylesheets?: string[];
    status?: Child;
    /** A bare page that still shows the technician sign-in link (the PIN page, the front door). */
    signInLink?: boolean;
  },
) {
  const { c } = props;
  const t = c.get("t");
  const user = c.get("user");
  const csrf = c.get("csrf");
  const isAdmin = user?.role === "master_admin" || user?.role === "admin";
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang={languageTag(c.get("lang"))} dir={textDirection(c.get("lang"))}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <title>{`${props.title} · ${t("app.name")}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/vendor/htmx.min.js" defer></script>
          <script type="module" src="/static/app.js"></script>
          <script type="module" src="/static/workspace.js"></script>
          <script type="module" src="/static/replies.js"></script>
          <script type="module" src="/static/alerts.js"></script>
          {user && <link rel="stylesheet" href="/static/remote_view.css" />}
          {user && <link rel="stylesheet" href="/static/workspace.css" />}
          {user && <script type="module" src="/static/islands/remote_view.js"></script>}
          {user && <link rel="stylesheet" href="/static/file_manager.css" />}
          {user && <script type="module" src="/static/islands/file_manager.js"></script>}
          {props.stylesheets?.map((href) => <link rel="stylesheet" href={href} />)}
        </head>
        <body hx-headers={JSON.stringify({ "X-CSRF-Token": csrf })}>
          {
            /* The first Tab stop on every page: past the header (and the console's toolbar
              stays the first thing in main, so keyboard users land on the work). */
          }
          <a class="skip-link" href="#main">{t("nav.skip")}</a>
          <header class="topbar">
            <a class="brand" href="/">{t("app.name")}</a>
            <OrgBrand c={c} />
            {!user && (!props.bare || props.signInLink) && c.req.path !== "/signin" && (
              <nav aria-label={t("nav.label")}>
                <a href="/signin" class="signin-link">{t("nav.signIn")}</a>
              </nav>
            )}
            {user && !props.bare && (
              <nav aria-label={t("nav.label")}>
                {props.status}
                <a href="/console">{t("nav.console")}</a>
                <a href="/console/history">{t("nav.history")}</a>
                {can(user, "lens") && <a href="/console/lens">{t("nav.lens")}</a>}
                {isAdmin && <a href="/admin/groups">{t("nav.admin")}</a>}
                <a href="/account">{t("nav.account")}</a>
                <form method="post" action="/signout" class="inline">
                  <input type="hidden" name="_csrf" value={csrf} />
                  <button type="submit" class="link">{t("nav.signOut")}</button>
                </form>
              </nav>
            )}
          </header>
          <main id="main" tabindex={-1}>
            {isAdmin && c.req.path.startsWith("/admin") && <AdminNav c={c} />}
            <div id="flash" aria-live="polite"></div>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** The organisation's logo and name (Admin Center → Organisation), when there is one. */
function OrgBrand(props: { c: PageContext }) {
  const branding = props.c.get("branding");
  if (!branding) return null;
  return (
    <span class="org-brand">
      {branding.logoUrl && <img class="org-logo" src={branding.logoUrl} alt="" />}
      <span class="org-name">{branding.name}</span>
    </span>
  );
}

/** A hidden CSRF field for plain (non-htmx) forms. */
export function CsrfField(props: { c: PageContext }) {
  return <input type="hidden" name="_csrf" value={props.c.get("csrf")} />;
}

export function Flash(props: { kind: "error" | "info"; message?: string }) {
  if (!props.message) return null;
  return (
    <p class={`flash ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.message}
    </p>
  );
}

/** The Admin Center's sections, shown on every /admin page. */
function AdminNav(props: { c: PageContext }) {
  const t = props.c.get("t");
  const path = props.c.req.path;
  const master = props.c.get("user")?.role === "master_admin";
  // One line of sections at 1366 px (issue 13): the related pages share a tab and show their
  // own small row under it (messages: outbox and SMS; organisation: its settings, security,
  // webhooks and the support app).
  const sections: { label: string; pages: [string, string][] }[] = [
    { label: t("nav.groups"), pages: [["/admin/groups", t("nav.groups")]] },
    {
      label: t("nav.people"),
      pages: [
        ["/admin/technicians", t("nav.people")],
        ["/admin/external", t("nav.external")],
      ],
    },
    {
      label: t("nav.channels"),
      pages: [
        ["/admin/channels", t("nav.channels")],
        ["/admin/calling-cards", t("nav.callingCards")],
      ],
    },
    { label: t("nav.fields"), pages: [["/admin/fields", t("nav.fields")]] },
    { label: t("nav.surveys"), pages: [["/admin/surveys", t("nav.surveys")]] },
    { label: t("nav.scripts"), pages: [["/admin/scripts", t("nav.scripts")]] },
    { label: t("nav.reports"), pages: [["/admin/reports", t("nav.reports")]] },
    { label: t("nav.audit"), pages: [["/admin/audit", t("nav.audit")]] },
    {
      label: t("nav.messages"),
      pages: [["/admin/outbox", t("nav.outbox")], ["/admin/sms", t("nav.sms")]],
    },
    ...(master
      ? [{
        label: t("nav.organisation"),
        pages: [
          ["/admin/organisation", t("nav.organisation")],
          ["/admin/security", t("nav.security")],
          ["/admin/sso", t("nav.sso")],
          ["/admin/webhooks", t("nav.webhooks")],
          ["/admin/support-app", t("nav.supportApp")],
        ] as [string, string][],
      }]
      : []),
  ];
  const here = (href: string) => path === href || path.startsWith(`${href}/`);
  const open = sections.find((section) => section.pages.some(([href]) => here(href)));
  return (
    <>
      <nav class="tabs admin-nav" aria-label={t("nav.admin")}>
        {sections.map((section) => (
          <a href={section.pages[0][0]} class={section === open ? "active" : ""}>
            {section.label}
          </a>
        ))}
      </nav>
      {open && open.pages.length > 1 && (
        <nav class="admin-subnav" aria-label={open.label}>
          {open.pages.map(([href, label]) => (
            <a
              href={href}
              class={here(href) ? "active" : ""}
              aria-current={here(href) ? "page" : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
      )}
    </>
  );
}
