/**
 * The keys whose words speak to the customer (the customer's pages, the Lens phone page, the
 * channel form, the invitation e-mail and SMS), for the tests that check a language addresses
 * customers formally (dutch_address_test.ts, formal_address_test.ts). Shared sections (errors,
 * files) are neutral and not listed; a customer-only language and the support app's strings
 * speak to the customer throughout.
 */
export const CUSTOMER_ADDRESSED: readonly string[] = [
  "customer.",
  "customerFiles.",
  "customerRemote.",
  "customerShare.",
  "lensPhone.",
  "customerPresent.",
  "customerDevice.",
  "agentDownload.",
  "channels.public.",
  "channels.problem.customerNameRequired",
  "channels.problem.contactRequired",
  "unattendedRequest.customer.",
  "groupSettings.defaultEmailSubject",
  "groupSettings.defaultEmailTemplate",
  "sms.invitation",
  "workspace.inviteMessage",
  "limits.customerChat",
];
