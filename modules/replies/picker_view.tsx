import type { PageContext } from "../http/mod.ts";
import { CsrfField } from "../../views/layout.tsx";
import type { Reply } from "./service.ts";

/**
 * The fragment a session's chat loads from `/console/replies/picker?session=<id>`: the
 * technician's replies and URLs as buttons. `static/replies.js` puts a button's
 * `data-insert` text into the textarea named by `data-target`, where it can be changed
 * before sending. URLs can also be pushed to the customer's browser, when the group
 * allows it (`canPush`); that endpoint belongs to the session.
 */
export function ReplyPicker(
  props: { c: PageContext; sessionId: string; items: Reply[]; canPush: boolean },
) {
  const { c, sessionId, items } = props;
  const t = c.get("t");
  const target = `chat-input-${sessionId}`;
  const replies = items.filter((r) => r.kind === "reply");
  const urls = items.filter((r) => r.kind === "url");
  const pushAction = `/console/sessions/${sessionId}/push-url`;
  return (
    <div class="replies-picker" id={`replies-picker-${sessionId}`}>
      {items.length === 0 && <p class="muted">{t("replies.picker.empty")}</p>}
      {replies.length > 0 && (
        <>
          <h3>{t("replies.picker.replies")}</h3>
          <ul>
            {replies.map((reply) => (
              <li>
                <button
                  type="button"
                  class="link"
                  data-insert={reply.body}
                  data-target={target}
                  title={t("replies.picker.insertHelp")}
                >
                  {reply.title}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {urls.length > 0 && (
        <>
          <h3>{t("replies.picker.urls")}</h3>
          <ul>
            {urls.map((url) => (
              <li>
                <button
                  type="button"
                  class="link"
                  data-insert={url.body}
                  data-target={target}
                  title={t("replies.picker.insertHelp")}
                >
                  {url.title}
                </button>{" "}
                <span class="muted mono">{url.body}</span> {props.canPush && (
                  <form
                    method="post"
                    action={pushAction}
                    hx-post={pushAction}
                    hx-target="this"
                    hx-swap="none"
                    class="inline"
                  >
                    <CsrfField c={c} />
                    <input type="hidden" name="url" value={url.body} />
                    <button type="submit" class="secondary small">
                      {t("replies.picker.push")}
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <a href="/console/replies">{t("replies.picker.manage")}</a>
      </p>
    </div>
  );
}
