// Dutch addresses technicians and admins informally ("je", "jouw") and customers formally ("u",
// "uw"). Which namespaces are read by whom is listed here; a new string in one of them that uses
// the other form fails. Namespaces read by both (errors shown to either, files, limits) and
// the technician's words to a customer inside a technician namespace are listed as exceptions.
import assert from "node:assert/strict";
import nl from "../../locales/nl.json" with { type: "json" };
import agentNl from "../../agent/locales/nl.json" with { type: "json" };
import { CUSTOMER_ADDRESSED as CUSTOMER } from "./customer_address.ts";

/** Read by technicians and admins. */
const TECHNICIAN = [
  "account.",
  "api.",
  "callingCards.",
  "channels.",
  "collaboration.",
  "console.",
  "consoleOptions.",
  "deviceInfo.",
  "external.",
  "fields.",
  "fileManager.",
  "filemgr.",
  "groupSettings.",
  "history.",
  "lan.",
  "lens.",
  "monitoring.",
  "org.",
  "password.",
  "permissions.",
  "present.",
  "reboot.",
  "recording.",
  "remote.",
  "replies.",
  "reports.",
  "scripts.",
  "sessions.",
  "setup.",
  "signin.",
  "sms.",
  "sso.",
  "surveys.",
  "twofa.",
  "unattended.",
  "workspace.",
];

const FORMAL = /(?<![\p{L}\d])(u|uw|uwe|uzelf)(?![\p{L}\d])/iu;
const INFORMAL = /(?<![\p{L}\d])(je|jij|jou|jouw|jouwe|jezelf|jullie)(?![\p{L}\d])/iu;

function leaves(tree: object, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]): [string, string][] =>
    typeof value === "string" ? [[prefix + key, value]] : leaves(value, `${prefix}${key}.`)
  );
}

const under = (key: string, list: readonly string[]) => list.some((p) => key.startsWith(p));

Deno.test("nl.json: customers are addressed with 'u', never 'je'", () => {
  const strays = leaves(nl).filter(([key, text]) => under(key, CUSTOMER) && INFORMAL.test(text));
  assert.deepEqual(strays, []);
});

Deno.test("agent/locales/nl.json (the customer's app window): 'u', never 'je'", () => {
  const strays = leaves(agentNl).filter(([, text]) => INFORMAL.test(text));
  assert.deepEqual(strays, []);
});

Deno.test("nl.json: technicians and admins are addressed with 'je', never 'u'", () => {
  const strays = leaves(nl).filter(([key, text]) =>
    under(key, TECHNICIAN) && !under(key, CUSTOMER) && FORMAL.test(text)
  ).map(([key, text]) => `${key}: ${text}`);
  assert.deepEqual(strays, []);
});
