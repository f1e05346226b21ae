// @ts-check
// The API reference page (/api/v1/docs, modules/api/docs.tsx): starts Swagger UI, loaded from
// /vendor/swagger-ui-bundle.js just before this, over the document the page names.

/**
 * @typedef {{ url: string; domNode: Element; validatorUrl: null; deepLinking: boolean;
 *   tryItOutEnabled: boolean; displayOperationId: boolean }} SwaggerOptions
 */

const root = document.getElementById("swagger-ui");
/** @type {((options: SwaggerOptions) => unknown) | undefined} */
const SwaggerUIBundle = /** @type {any} */ (globalThis).SwaggerUIBundle;
if (root && SwaggerUIBundle) {
  SwaggerUIBundle({
    url: root.dataset.spec ?? "/api/v1/openapi.json",
    domNode: root,
    // The default validator is a remote service: nothing here calls another host.
    validatorUrl: null,
    deepLinking: true,
    // Scripts call operations by these names (every operation has one, checked by a test).
    displayOperationId: true,
    tryItOutEnabled: false,
  });
}
