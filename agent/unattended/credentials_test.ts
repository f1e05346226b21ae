import assert from "node:assert/strict";
import { CREDENTIALS_FILE, credentialsWindowProblem, fileVault } from "./credentials.ts";

const SECRET = "Pässword-only-here-7731";

Deno.test("fileVault(): encrypted at rest, readable with this machine's key only, gone when cleared or expired", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const here = fileVault(dir, { machineId: "machine-a" });
    await here.store({ user: "carol", password: SECRET }, "2026-12-10T00:00:00Z");
    const onDisk = await Deno.readFile(`${dir}/${CREDENTIALS_FILE}`);
    const text = new TextDecoder("latin1").decode(onDisk);
    assert.ok(!text.includes("Pässword") && !text.includes("only-here"), "no password at rest");
    assert.ok(!text.includes("carol"), "no user name at rest");
    assert.equal((await Deno.stat(`${dir}/${CREDENTIALS_FILE}`)).mode! & 0o777, 0o600);
    assert.deepEqual(await here.read(new Date("2026-12-05T00:00:00Z")), {
      user: "carol",
      password: SECRET,
    });
    // The same files on another computer (another machine id): they do not open.
    await assert.rejects(
      fileVault(dir, { machineId: "machine-b" }).read(new Date("2026-12-05T00:00:00Z")),
      /cannot be opened on this computer/,
    );
    // A changed byte is refused too (GCM's tag), not read as something else.
    const tampered = onDisk.slice();
    tampered[20] ^= 1;
    await Deno.writeFile(`${dir}/${CREDENTIALS_FILE}`, tampered);
    await assert.rejects(here.read(new Date("2026-12-05T00:00:00Z")), /cannot be opened/);
    // After the grant's end they are removed on first read.
    await here.store({ user: "carol", password: SECRET }, "2026-12-10T00:00:00Z");
    assert.equal(await here.read(new Date("2026-12-10T00:00:01Z")), null);
    await assert.rejects(Deno.stat(`${dir}/${CREDENTIALS_FILE}`));
    // Revoked: wiped, key and all.
    await here.store({ user: "carol", password: SECRET }, null);
    await here.clear();
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    assert.equal(await here.read(new Date()), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credentialsWindowProblem(): an end within two weeks of the start, never without one", () => {
  const now = new Date("2026-12-05T00:00:00Z");
  const day = 24 * 3_600_000;
  const at = (ms: number) => new Date(ms).toISOString();
  const from = now.getTime();
  assert.equal(
    credentialsWindowProblem({ fromAt: at(from), untilAt: at(from + 14 * day) }, now),
    null,
  );
  assert.match(
    credentialsWindowProblem({ fromAt: at(from), untilAt: null }, now)!,
    /without an end/,
  );
  assert.match(
    credentialsWindowProblem({ fromAt: at(from), untilAt: at(from + 15 * day) }, now)!,
    /two weeks at most/,
  );
  // A range starting later counts from its own start.
  assert.equal(
    credentialsWindowProblem({ fromAt: at(from + 3 * day), untilAt: at(from + 17 * day) }, now),
    null,
  );
});
