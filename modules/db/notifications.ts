/**
 * PostgreSQL LISTEN/NOTIFY for `DatabaseHandle.notifications`. LISTEN has a connection of its
 * own that is LISTENed again after it dies, for as long as it takes (listener.ts). NOTIFYs go over one
 * connection of their own, so they are sent — and arrive — in the order of the calls; while
 * one statement is under way the next calls queue up and leave together in one statement
 * (one transaction, many notifications, still in order): one event costs one round trip,
 * a burst of a thousand costs a handful. Identical notifications in one statement are
 * delivered once (PostgreSQL folds them within a transaction): for "look again" notices
 * that is the same message. A payload PostgreSQL refuses (8000 bytes or more) fails its
 * whole statement, which is then sent again one notification at a time; callers keep
 * payloads small (the live hub refuses bigger ones before they get here).
 */
import type postgres from "postgres";
import { PostgresListener } from "./listener.ts";

/**
 * LISTEN/NOTIFY between the processes on one PostgreSQL database. A notification sent after
 * a commit reaches the listeners after that commit; payloads are at most 8000 bytes.
 */
export interface DatabaseNotifications {
  /**
   * Listens on `channel` until `unlisten()`. The LISTEN connection is re-established by
   * itself after it dies: `onLost` is called when it died, `onListen` each time it is
   * listening (the first time too) — between the two, notifications were missed.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onListen?: () => void,
    onLost?: () => void,
  ): Promise<{ unlisten(): Promise<void> }>;
  /** Sends `payload` on `channel`; notifications are sent in the order of the calls. */
  notify(channel: string, payload: string): Promise<void>;
}

/** Notifications per statement: two parameters each, far below PostgreSQL's 65,535. */
const MAX_BATCH = 500;

interface Pending {
  channel: string;
  payload: string;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Sent in a statement of its own (after its batch failed). */
  alone?: boolean;
}

export function postgresNotifications(
  url: string,
  open: (url: string, options: postgres.Options<never>) => postgres.Sql,
): DatabaseNotifications & { close(): Promise<void> } {
  const listener = new PostgresListener(url, open);
  let notifier: postgres.Sql | undefined;
  let queue: Pending[] = [];
  let sending = false;

  const flush = async () => {
    sending = true;
    while (queue.length > 0) {
      const batch = queue[0].alone ? [queue[0]] : queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      notifier ??= open(url, { max: 1, onnotice: () => {} });
      const calls = batch.map((_, i) => `pg_notify($${2 * i + 1}, $${2 * i + 2})`);
      const params = batch.flatMap((p) => [p.channel, p.payload]);
      try {
        await notifier.unsafe(`select ${calls.join(", ")}`, params);
        for (const p of batch) p.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        // One refused payload fails the statement: the batch goes again one by one, in
        // order, so only the refused one fails.
        else queue = [...batch.map((p) => ({ ...p, alone: true })), ...queue];
      }
    }
    sending = false;
  };

  return {
    listen: (channel, onMessage, onListen, onLost) =>
      listener.listen(channel, { onMessage, onListen, onLost }),
    notify: (channel, payload) =>
      new Promise<void>((resolve, reject) => {
        queue.push({ channel, payload, resolve, reject });
        if (!sending) flush();
      }),
    close: async () => {
      await Promise.all([listener.close(), notifier?.end()]);
    },
  };
}
