// `deno task bench:audit [entries] [writers]`: what the audit log's hash chain costs. Writes
// `entries` audit entries (default 20,000) for one organisation from `writers` concurrent
// writers (default 8), each in its own transaction — first as plain rows (the log before the
// chain: the baseline), then through `recordAudit` (the chain) — and checks the chain
// (`verifyAuditChain`). On a fresh PGlite in a temporary directory, or on DATABASE_URL (an
// empty database you can throw away: it writes there).
import { openDatabase } from "../modules/db/mod.ts";
import { auditLog, recordAudit, verifyAuditChain } from "../modules/audit/mod.ts";

const entries = Number(Deno.args[0] ?? 20_000);
const writers = Number(Deno.args[1] ?? 8);
const databaseUrl = Deno.env.get("DATABASE_URL");
const dataDir = await Deno.makeTempDir({ prefix: "rescue-bench-audit-" });
const database = await openDatabase({ databaseUrl, dataDir });
const orgId = crypto.randomUUID();
try {
  const entry = (i: number, org: string) => ({
    orgId: org,
    actorEmail: `person${i % 50}@example.test`,
    action: "auth.signin" as const,
    ip: "192.0.2.1",
    details: { i, browser: "Firefox", nested: { a: 1 } },
  });
  const writeAll = async (write: (i: number) => Promise<void>) => {
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: writers }, async () => {
      while (next < entries) await write(next++);
    }));
    return performance.now() - started;
  };
  const baseline = crypto.randomUUID();
  const plainMs = await writeAll((i) =>
    database.db.transaction(async (tx) => {
      await tx.insert(auditLog).values({ ...entry(i, baseline), createdAt: new Date() });
    })
  );
  const writeMs = await writeAll((i) =>
    database.db.transaction(async (tx) => {
      await recordAudit(tx, { ...entry(i, orgId), at: new Date() });
    })
  );
  const verifyStart = performance.now();
  const [report] = await verifyAuditChain(database.db, { orgId });
  const verifyMs = performance.now() - verifyStart;
  const engine = databaseUrl ? "PostgreSQL" : "PGlite";
  console.log(`${engine}: ${entries} entries, ${writers} concurrent writers`);
  const rate = (ms: number) => Math.round(entries / (ms / 1000));
  console.log(`  plain rows (no chain): ${Math.round(plainMs)} ms, ${rate(plainMs)} entries/s`);
  console.log(`  chained (recordAudit): ${Math.round(writeMs)} ms, ${rate(writeMs)} entries/s`);
  console.log(
    `  verify: ${Math.round(verifyMs)} ms (${report.intact ? "intact" : "BROKEN"}, ` +
      `${report.entries} entries), ${Math.round(report.entries / (verifyMs / 1000))} entries/s`,
  );
  if (!report.intact) Deno.exitCode = 1;
} finally {
  await database.close();
  await Deno.remove(dataDir, { recursive: true });
}
