/**
 * The app's dependencies for a benchmark's seeding step: the configured database, a silent
 * log, a live hub nobody listens to and an instance identity that is never registered (the
 * seeder serves nothing), bootstrapped so the organisation and its admin exist.
 */
import { bootstrap } from "../modules/auth/mod.ts";
import { newInstance } from "../modules/cluster/mod.ts";
import type { Config } from "../modules/config/mod.ts";
import type { DatabaseHandle } from "../modules/db/mod.ts";
import { fileStoreIn } from "../modules/files/mod.ts";
import { type AppDeps, createLogger } from "../modules/http/mod.ts";
import { LiveHub } from "../modules/live/mod.ts";

export async function seedingDeps(
  config: Config,
  database: DatabaseHandle,
  dataDir: string,
): Promise<AppDeps> {
  const deps: AppDeps = {
    config,
    db: database.db,
    dbKind: database.kind,
    clock: { now: () => new Date() },
    log: createLogger({}, () => {}),
    live: new LiveHub(),
    instance: newInstance("http://127.0.0.1:0"),
    files: fileStoreIn(dataDir),
  };
  await bootstrap(deps);
  return deps;
}
