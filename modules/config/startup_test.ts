import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { startupNotes } from "./startup.ts";

async function configWith(env: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "rescue-config-" });
  try {
    return await loadConfig({ env: { DATA_DIR: dir, ...env } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("startupNotes() names the sign-in URL and warns when PUBLIC_URL is unset", async () => {
  const notes = startupNotes(await configWith({ PORT: "9090" }));
  assert.match(notes.line, /http:\/\/localhost:9090\/signin/);
  assert.match(notes.warning ?? "", /PUBLIC_URL is not set/);
  assert.match(notes.warning ?? "", /localhost:9090/);
});

Deno.test("startupNotes() gives no warning when PUBLIC_URL is set", async () => {
  const notes = startupNotes(await configWith({ PUBLIC_URL: "https://help.example/" }));
  assert.match(notes.line, /https:\/\/help\.example\/signin/);
  assert.equal(notes.warning, undefined);
});

Deno.test("loadConfig() carries RESCUE_ORG_NAME and LANG's language to the bootstrap", async () => {
  const config = await configWith({
    RESCUE_ADMIN_EMAIL: "a@example.test",
    RESCUE_ADMIN_PASSWORD: "a long password here",
    RESCUE_ORG_NAME: "Helpdesk Jansen",
    LANG: "nl_NL.UTF-8",
  });
  assert.equal(config.bootstrapAdmin?.orgName, "Helpdesk Jansen");
  assert.equal(config.bootstrapAdmin?.language, "nl-nl");
});
