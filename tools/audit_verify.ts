// `deno task audit:verify`: checks every organisation's audit hash chain in the configured
// database (DATABASE_URL, else the PGlite in DATA_DIR) and says, per chain, whether it is
// intact and where it breaks. Exit code 1 when any chain is broken. Changes nothing.
import { loadConfig } from "../modules/config/mod.ts";
import { openDatabase } from "../modules/db/mod.ts";
import { verifyAuditChain } from "../modules/audit/mod.ts";

const config = await loadConfig();
const database = await openDatabase(config);
let broken = 0;
try {
  const started = performance.now();
  const reports = await verifyAuditChain(database.db);
  for (const r of reports) {
    const name = r.orgId ? `organisation ${r.orgId}` : "entries of no organisation";
    if (r.intact) {
      console.log(`${name}: intact, ${r.entries} entries`);
      continue;
    }
    broken++;
    const b = r.breaks!;
    const where = b.id === null ? `after entry seq ${b.seq - 1} (the head)` : `entry id ${b.id}`;
    console.log(
      `${name}: BROKEN at seq ${b.seq}, ${where}${b.at ? ` (${b.at.toISOString()})` : ""}: ` +
        `${b.reason}; ${r.entries} entries hold before it`,
    );
  }
  if (reports.length === 0) console.log("no audit entries yet");
  console.log(`checked in ${Math.round(performance.now() - started)} ms`);
} finally {
  await database.close();
}
Deno.exit(broken > 0 ? 1 : 0);
