import { Hono } from "hono";
import { type AppEnv, readForm, requireUser } from "../http/mod.ts";
import {
  consoleOptionsFrom,
  consoleOptionsFromForm,
  readConsoleOptions,
  saveConsoleOptions,
} from "./options.ts";
import { ConsoleOptionsPage } from "./options_views.tsx";

export { ConsoleOptionsData } from "./options_views.tsx";

/** SPEC Q7: the technician's own console options, mounted at `/console/options`. */
export const consoleOptionsRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/", async (c) => {
    const options = await readConsoleOptions(c.get("deps").db, c.get("user").id);
    return c.html(
      <ConsoleOptionsPage c={c} options={options} saved={c.req.query("saved") === "1"} />,
    );
  })
  .post("/", async (c) => {
    const form = await readForm(c);
    const { db, clock } = c.get("deps");
    const user = c.get("user");
    const result = await saveConsoleOptions(db, user.id, form, clock.now());
    if (result.ok) return c.redirect("/console/options?saved=1", 303);
    // Show what was sent where it is valid; refused fields show their default and a message.
    const shown = consoleOptionsFrom(consoleOptionsFromForm(form));
    return c.html(<ConsoleOptionsPage c={c} options={shown} problems={result.problems} />, 422);
  });
