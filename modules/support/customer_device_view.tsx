/**
 * "Your technician asks to see information about this device" on the customer's page
 * (SPEC M2; `static/customer_device.js`, served by modules/device_info): Allow / Deny, then
 * what is shared and a button to stop. Hidden until a technician asks; without JavaScript
 * nothing can be read, so nothing is offered.
 */
import type { PageContext } from "../http/mod.ts";

export function DeviceInfoConsent(props: { c: PageContext; token: string }) {
  const t = props.c.get("t");
  const keys = ["ask", "askBy", "sharing", "stopped", "denied", "failed"] as const;
  const labels = Object.fromEntries(keys.map((k) => [k, t(`customerDevice.${k}`)]));
  const base = `/s/${props.token}/device`;
  return (
    <section
      id="device-info"
      class="device-share"
      data-base={base}
      data-labels={JSON.stringify(labels)}
      hidden
    >
      {
        /* Said, not focused: the customer may be typing in the chat, and a key that lands on
          Allow would answer for them. */
      }
      <div id="device-ask" class="flash info" role="group" aria-labelledby="device-ask-text" hidden>
        <p id="device-ask-text" role="status"></p>
        <div class="row">
          <button type="button" id="device-allow">{t("customerDevice.allow")}</button>
          <button type="button" id="device-deny" class="secondary">
            {t("customerDevice.deny")}
          </button>
        </div>
      </div>
      <div id="device-sharing" class="flash info" hidden>
        <div class="row">
          <span>{labels.sharing}</span>
          <button type="button" id="device-stop" class="secondary small">
            {t("customerDevice.stop")}
          </button>
        </div>
      </div>
      <p id="device-status" class="muted" role="status" aria-live="polite"></p>
      <script type="module" src="/static/customer_device.js"></script>
    </section>
  );
}
