// Provisioning through /api/v1: groups and technicians with the Admin Center's checks.
import assert from "node:assert/strict";
import { count } from "drizzle-orm";
import { mailOutbox } from "../modules/mail/mod.ts";
import { technicianGroups } from "../modules/org/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";

async function tokenFor(t: TestApp, email: string, password: string) {
  const res = await t.app.request("http://localhost/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).token as string;
}

function call(t: TestApp, token: string, method: string, path: string, body?: unknown) {
  return t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

Deno.test("an admin provisions groups and technicians through the API", async () => {
  const t = await startTestApp();
  try {
    const token = await tokenFor(t, ADMIN.email, ADMIN.password);
    const bad = await call(t, token, "POST", "/groups", {
      name: "Field team",
      settings: { waitingTimeout: "abc", maxActiveSessions: 50 },
    });
    assert.equal(bad.status, 422);
    assert.match((await bad.json()).detail, /waitingTimeout/);
    const [{ n }] = await t.deps.db.select({ n: count() }).from(technicianGroups);
    assert.equal(Number(n), 0, "nothing created");

    const created = await call(t, token, "POST", "/groups", {
      name: "Field team",
      permissions: ["startPrivate", "methodLink"],
      settings: { waitingTimeout: 2 },
    });
    assert.equal(created.status, 201);
    const group = await created.json();
    assert.deepEqual(group.permissions, ["startPrivate", "methodLink"]);
    assert.equal(group.settings.waitingTimeout, 2);
    assert.equal(group.settings.connectingTimeout, 20, "defaults fill the rest");

    const patched = await call(t, token, "PATCH", `/groups/${group.id}`, {
      permissions: ["startPrivate", "methodPin"],
    });
    assert.deepEqual((await patched.json()).permissions, ["startPrivate", "methodPin"]);

    const invited = await call(t, token, "POST", "/technicians", {
      email: "api-tech@example.test",
      name: "Api Tech",
      groupId: group.id,
    });
    assert.equal(invited.status, 201);
    const tech = await invited.json();
    assert.equal(tech.invited, true);
    assert.equal((await t.deps.db.select().from(mailOutbox)).length, 1);

    const list = await (await call(t, token, "GET", "/technicians")).json();
    assert.ok(list.some((p: { email: string }) => p.email === "api-tech@example.test"));
    const deactivated = await call(t, token, "PATCH", `/technicians/${tech.id}`, { active: false });
    assert.equal(deactivated.status, 204);
    assert.equal((await call(t, token, "GET", "/groups/not-a-uuid")).status, 422);
    assert.equal((await call(t, token, "DELETE", `/groups/${group.id}`)).status, 409, "not empty");
  } finally {
    await t.close();
  }
});

Deno.test("a technician's token is refused on the provisioning API", async () => {
  const t = await startTestApp();
  try {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const token = await tokenFor(t, person.email, TECH_PASSWORD);
    for (
      const [method, path] of [["GET", "/groups"], ["POST", "/groups"], ["GET", "/technicians"], [
        "GET",
        "/channels",
      ]]
    ) {
      const res = await call(t, token, method, path, method === "POST" ? { name: "x" } : undefined);
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    }
    const doc = await (await t.app.request("http://localhost/api/v1/openapi.json")).json();
    assert.ok(doc.paths["/groups"].post);
    assert.ok(doc.paths["/technicians/{id}"].patch);
  } finally {
    await t.close();
  }
});

Deno.test("channels are provisioned through the API with the admin pages' validation", async () => {
  const t = await startTestApp();
  try {
    const token = await tokenFor(t, ADMIN.email, ADMIN.password);
    const group = await makeGroup(t, { name: "Web" });
    const bad = await call(t, token, "POST", "/channels", {
      name: "",
      groupIds: [group.id],
      openingHours: {
        enabled: true,
        timeZone: "Mars/Olympus",
        days: { "1": [["25:00", "26:00"]] },
      },
    });
    assert.equal(bad.status, 422);
    const codes = (await bad.json()).issues.map((i: { code: string }) => i.code);
    assert.ok(codes.includes("nameRequired"), JSON.stringify(codes));
    assert.ok(codes.includes("timeZoneUnknown"), JSON.stringify(codes));
    assert.equal((await (await call(t, token, "GET", "/channels")).json()).length, 0);

    const created = await call(t, token, "POST", "/channels", {
      name: "Website",
      groupIds: [group.id],
      openingHours: {
        enabled: true,
        timeZone: "Europe/Amsterdam",
        days: { "2": [["09:00", "17:00"]] },
      },
    });
    assert.equal(created.status, 201);
    const channel = await created.json();
    assert.match(channel.publicUrl, /\/c\/[A-Za-z0-9_-]{16}$/);
    const patched = await call(t, token, "PATCH", `/channels/${channel.id}`, { name: "Web shop" });
    assert.equal(patched.status, 200);
    const after = await patched.json();
    assert.equal(after.name, "Web shop");
    assert.deepEqual(after.groupIds, [group.id], "unpatched values stay");
    const page = await t.app.request(
      after.publicUrl.replace(/^http:\/\/[^/]+/, "http://localhost"),
    );
    assert.equal(page.status, 200);
    assert.equal((await call(t, token, "DELETE", `/channels/${channel.id}`)).status, 204);
    assert.equal((await call(t, token, "GET", `/channels/${channel.id}`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("the API refuses permissions and settings that are not available yet, and says which", async () => {
  const t = await startTestApp();
  try {
    const token = await tokenFor(t, ADMIN.email, ADMIN.password);
    const catalogue = await (await call(t, token, "GET", "/permissions")).json() as {
      id: string;
      available: boolean;
    }[];
    assert.equal(catalogue.find((p) => p.id === "lanConnect")?.available, true);
    assert.equal(catalogue.find((p) => p.id === "remoteControl")?.available, true);

    // LAN connect was the last permission not built (SPEC C9): granted now like any other.
    const lan = await call(t, token, "POST", "/groups", {
      name: "LAN team",
      permissions: ["startPrivate", "lanConnect"],
    });
    assert.equal(lan.status, 201);
    assert.deepEqual((await lan.json()).permissions, ["startPrivate", "lanConnect"]);
    const [{ n }] = await t.deps.db.select({ n: count() }).from(technicianGroups);
    assert.equal(Number(n), 1);

    const group = await (await call(t, token, "POST", "/groups", {
      name: "Field team",
      settings: { recordingPolicy: "off", surveyEnabled: false },
    })).json();
    assert.deepEqual(
      group.permissions.filter((id: string) => !catalogue.find((p) => p.id === id)?.available),
      [],
      "defaults hold no unavailable one",
    );
    const patched = await call(t, token, "PATCH", `/groups/${group.id}`, {
      settings: { waitingTimeout: 3, surveyEnabled: true, surveyUrl: "https://survey.test" },
    });
    assert.equal(patched.status, 422);
    assert.match((await patched.json()).detail, /surveyEnabled, surveyUrl/);
    // Recording is built: its policy is taken, but a folder that is not absolute is refused.
    const relative = await call(t, token, "PATCH", `/groups/${group.id}`, {
      settings: { waitingTimeout: 3, recordingPolicy: "always", recordingLocation: "x" },
    });
    assert.equal(relative.status, 422);
    assert.match((await relative.json()).detail, /recordingLocation/);
    const after = await (await call(t, token, "GET", `/groups/${group.id}`)).json();
    assert.equal(after.settings.waitingTimeout, 30, "nothing changed");
    assert.equal(after.settings.recordingPolicy, "off");
    assert.equal(after.settings.surveyEnabled, false);
    const always = await call(t, token, "PATCH", `/groups/${group.id}`, {
      settings: { recordingPolicy: "always" },
    });
    assert.equal(always.status, 200);
    assert.equal((await always.json()).settings.recordingPolicy, "always");
  } finally {
    await t.close();
  }
});
