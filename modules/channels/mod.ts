/**
 * Channels and custom fields (SPEC A6, A7, C5). A channel is a public link — `/c/<slug>`,
 * at most ten per organisation — whose form (the built-in name plus chosen custom fields)
 * puts a customer in the queue of the technician groups that serve it; outside its
 * opening hours (evaluated in its own time zone by the pure `isOpen`) it shows the
 * admin's message or takes "call me back" details. `channelAdminRoutes` (/admin/channels,
 * with those details at /admin/channels/callbacks) and `fieldAdminRoutes` (/admin/fields)
 * are the admin pages, `channelPublicRoutes` (/c)
 * the customer side; the service functions and `ChannelInputSchema` are what the JSON API
 * builds on. Every change is audited in the transaction that makes it. A limited admin
 * sees and changes only the channels whose groups it all manages (`managesChannel`;
 * `getManagedChannel` and `listManagedChannels` apply it; anything else is a 404).
 */
export { channelAdminRoutes } from "./routes.tsx";
export { fieldAdminRoutes } from "./field_routes.tsx";
export { channelPublicRoutes, type ChannelSessionHooks } from "./public_routes.tsx";
/** `/agent/channel/:slug`: the channel's form as JSON for the calling card's app. */
export { channelAgentRoutes } from "./agent_routes.ts";
export {
  type Channel,
  createChannel,
  deleteChannel,
  getChannel,
  getManagedChannel,
  listChannels,
  listManagedChannels,
  managesChannel,
  MAX_CHANNELS,
  type SaveResult,
  updateChannel,
} from "./service.ts";
export {
  createField,
  type FieldRow,
  listFields,
  MAX_ACTIVE_FIELDS,
  moveField,
  setFieldActive,
  updateField,
} from "./fields.ts";
export {
  type ChannelInput,
  ChannelInputSchema,
  FieldInputSchema,
  type InputProblem,
  OpeningHoursSchema,
} from "./input.ts";
export { isOpen } from "./opening_hours.ts";
export { channelsNeedingGroup } from "./group_dependents.ts";
export { findPublicChannel, type FormField, type PublicChannel } from "./public.ts";
export { callbackRequests, channelGroups, channels, customFields } from "./schema.ts";
