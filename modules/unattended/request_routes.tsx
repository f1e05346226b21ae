/**
 * The unattended-access request's routes (docs/unattended.md, request owner):
 *
 * - `GET /console/sessions/:id/unattended` — the dialog (the customer's time zone and whether
 *   the agent can install come from the agent's `unattended.about`);
 * - `POST /console/sessions/:id/unattended` — send the request (terms checked, two weeks at
 *   most with the customer's credentials);
 * - `GET /s/:token/unattended/:requestId` — the customer sees exactly those terms;
 * - `POST /s/:token/unattended/:requestId` (form `decision`, `nonce`, `digest`, and one
 *   `tool_<tool>` per tool the customer left ticked) — the answer; approving with nothing
 *   ticked shows the page again with the reason.
 *
 * The technician's routes need `unattendedAccess` and the technician working the session; the
 * customer's page is the session token's. All run where the agent is (`relayToHome`).
 */
import { eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { users } from "../auth/mod.ts";
import { type AppEnv, isHtmx, readForm, requirePermission } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { relayToAgentHome, relayToHome } from "../remote/mod.ts";
import { CustomerShell, findByToken, sessionForTechnician } from "../support/mod.ts";
import {
  computerOs,
  customerDecision,
  latestRequest,
  requestForCustomer,
  requestUnattended,
  unattendedAbout,
} from "./request_service.ts";
import { CustomerRequest, LatestRequest, RequestDialog } from "./request_views.tsx";

const technicianRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/unattended", requirePermission("unattendedAccess"), relayToAgentHome)
  .get("/console/sessions/:id/unattended", async (c) => {
    const deps = c.get("deps");
    const { session, entry } = await sessionForTechnician(
      deps,
      c.get("user"),
      c.req.param("id"),
      "work",
    );
    const about = entry.status === "active" ? await unattendedAbout(deps, session.id) : null;
    return c.html(
      <RequestDialog
        c={c}
        sessionId={session.id}
        customerZone={about?.timeZone ?? null}
        windows={about?.windows ?? false}
        unavailable={!about
          ? "agentAbsent"
          : about.canInstall
          ? null
          : about.unavailable === "not_elevated"
          ? about.windows ? "notElevated" : "notRoot"
          : "cannotInstall"}
        latest={await latestRequest(deps, session.id)}
        os={computerOs(deps, session.id)}
      />,
    );
  })
  .post("/console/sessions/:id/unattended", async (c) => {
    const request = await requestUnattended(
      c.get("deps"),
      c.get("user"),
      c.req.param("id"),
      await readForm(c),
    );
    if (!isHtmx(c)) return c.json({ requestId: request.id, terms: request.terms }, 201);
    return c.html(
      <div class="card dialog" id="unattended-dialog" role="status">
        <p>{c.get("t")("unattendedRequest.sent")}</p>
        <LatestRequest c={c} request={request} os={computerOs(c.get("deps"), request.sessionId)} />
        <button type="button" class="secondary" data-close-dialog="dialog">
          {c.get("t")("console.close")}
        </button>
      </div>,
    );
  });

// The approval asks the agent to install: it is answered where the agent is (a cluster).
const relayToCustomersAgent = relayToHome(async (c) => {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  return session ? { id: session.id, orgId: session.orgId } : null;
});

const customerRoutes = new Hono<AppEnv>()
  .use("/s/:token/unattended/:requestId", relayToCustomersAgent)
  .get("/s/:token/unattended/:requestId", async (c) => {
    const { session, request, technician, os } = await _customer(c);
    return c.html(
      <CustomerShell c={c} title={c.get("t")("unattendedRequest.customer.title")}>
        <CustomerRequest
          c={c}
          token={session.token}
          request={request}
          technician={technician}
          os={os}
        />
      </CustomerShell>,
    );
  })
  .post("/s/:token/unattended/:requestId", async (c) => {
    const { session, request, technician, os } = await _customer(c);
    const form = await readForm(c);
    const tools = Object.keys(form).filter((key) => key.startsWith("tool_"))
      .map((key) => key.slice("tool_".length));
    try {
      await customerDecision(c.get("deps"), session, request.id, {
        decision: form.decision ?? "",
        nonce: form.nonce ?? "",
        digest: form.digest ?? "",
        tools,
      });
    } catch (error) {
      // Nothing ticked: the same page with the reason and the customer's ticks kept.
      if (!(error instanceof Refusal) || error.key !== "unattendedRequest.decision.noTools") {
        throw error;
      }
      const t = c.get("t");
      return c.html(
        <CustomerShell c={c} title={t("unattendedRequest.customer.title")}>
          <CustomerRequest
            c={c}
            token={session.token}
            request={request}
            technician={technician}
            os={os}
            error={t(error.key)}
            ticked={tools}
          />
        </CustomerShell>,
        422,
      );
    }
    return c.redirect(`/s/${session.token}/unattended/${request.id}`, 303);
  });

export const requestRoutes = new Hono<AppEnv>()
  .route("/", technicianRoutes)
  .route("/", customerRoutes);

async function _customer(c: Context<AppEnv>) {
  const deps = c.get("deps");
  const session = await findByToken(deps, c.req.param("token") ?? "");
  if (!session) throw new Refusal(404, "unattendedRequest.decision.notFound");
  const request = await requestForCustomer(deps, session, c.req.param("requestId") ?? "");
  const [tech] = await deps.db.select({ name: users.name }).from(users)
    .where(eq(users.id, request.requestedBy));
  return { session, request, technician: tech?.name ?? "", os: computerOs(deps, session.id) };
}
