import type { Permission } from "../permissions/mod.ts";

/** The connection methods of the New session dialog and the permission each needs. */
export const CONNECTION_METHODS = {
  pin: "methodPin",
  link: "methodLink",
  email: "methodEmail",
  sms: "methodSms",
} as const satisfies Record<string, Permission>;
export type ConnectionMethod = keyof typeof CONNECTION_METHODS;
