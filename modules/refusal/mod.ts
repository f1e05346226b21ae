/**
 * The one way a service says no: `Refusal` (status, translation key, message parameters,
 * headers). Every module throws it; `app.onError` maps it to a page, an htmx fragment or a
 * problem document in one place. A leaf: it imports nothing but the translation-key type.
 */
export { Refusal, type RefusalOptions, type RefusalStatus } from "./refusal.ts";
