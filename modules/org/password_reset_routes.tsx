import { Hono } from "hono";
import type { Context } from "hono";
import type { ExternalSignIn } from "../auth/mod.ts";
import { type AppEnv, clientAddress, readForm } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { completePasswordReset, findResetLink, requestPasswordReset } from "./password_reset.ts";
import {
  ChoosePasswordPage,
  ForgotPasswordPage,
  PasswordResetDonePage,
  ResetLinkProblemPage,
} from "./views_password_reset.tsx";

type C = Context<AppEnv>;

/**
 * "Forgot your password?" (`/signin/forgot`) and the link's page (`/reset/:token`), for
 * anyone signed in or not. `external` is single sign-on as auth's sign-in page sees it: while
 * it has password sign-in off, the page says only the master admin can reset a password here.
 */
export const passwordResetRoutes = (external?: ExternalSignIn) =>
  new Hono<AppEnv>()
    .get("/signin/forgot", async (c) =>
      c.html(<ForgotPasswordPage c={c} passwordOff={await passwordOffName(c, external)} />))
    .post("/signin/forgot", async (c) => {
      const form = await readForm(c);
      const email = (form.email ?? "").trim();
      const passwordOff = await passwordOffName(c, external);
      try {
        await requestPasswordReset(c.get("deps"), {
          email,
          ip: clientAddress(c),
          language: c.get("lang"),
          external,
        });
      } catch (error) {
        if (!(error instanceof Refusal) || error.status !== 429) {
          throw error;
        }
        for (const [name, value] of Object.entries(error.headers ?? {})) {
          c.header(name, value);
        }
        const message = c.get("t")(error.key, error.params);
        return c.html(<ForgotPasswordPage c={c} passwordOff={passwordOff} error={message} />, 429);
      }
      // The same words whether or not the address has an account.
      return c.html(<ForgotPasswordPage c={c} passwordOff={passwordOff} sentTo={email} />);
    })
    .get("/reset/:token", async (c) => {
      const { db, clock } = c.get("deps");
      const token = c.req.param("token");
      const link = await findResetLink(db, token, clock.now());
      if (link.state !== "valid") {
        return c.html(<ResetLinkProblemPage c={c} state={link.state} />, 410);
      }
      return c.html(
        <ChoosePasswordPage
          c={c}
          token={token}
          email={link.user.email}
          needsCode={link.user.totpEnabledAt !== null}
        />,
      );
    })
    .post("/reset/:token", async (c) => {
      const form = await readForm(c);
      const deps = c.get("deps");
      const token = c.req.param("token");
      try {
        const user = await completePasswordReset(deps, {
          token,
          password: form.password ?? "",
          confirm: form.confirm ?? "",
          code: form.code ?? "",
          ip: clientAddress(c),
        });
        // Connections opened from the ended sign-ins (a remote view) close at once.
        deps.live.publish({ kind: "access", orgId: user.orgId, userId: user.id });
        return c.html(<PasswordResetDonePage c={c} />);
      } catch (error) {
        if (!(error instanceof Refusal)) {
          throw error;
        }
        if (error.status === 410) {
          const state = (["expired", "used", "usedUp"] as const)
            .find((s) =>
              error.key === `reset.link.${s}`
            ) ?? "unknown";
          return c.html(<ResetLinkProblemPage c={c} state={state} />, 410);
        }
        const link = await findResetLink(deps.db, token, deps.clock.now());
        if (link.state !== "valid") {
          return c.html(<ResetLinkProblemPage c={c} state={link.state} />, 410);
        }
        for (const [name, value] of Object.entries(error.headers ?? {})) {
          c.header(name, value);
        }
        return c.html(
          <ChoosePasswordPage
            c={c}
            token={token}
            email={link.user.email}
            needsCode={link.user.totpEnabledAt !== null}
            error={c.get("t")(error.key, error.params)}
            triesLeft={error.params.triesLeft as number | undefined}
          />,
          error.status === 400 ? 422 : error.status as 422 | 423 | 429,
        );
      }
    });

/** The identity provider's name while password sign-in is off (for all but the master admin). */
async function passwordOffName(c: C, external?: ExternalSignIn) {
  const offer = await external?.offer(c.get("deps").db);
  return offer && !offer.passwordForAll ? offer.name : undefined;
}
