/**
 * An ARIA tablist of tools (WAI-ARIA Authoring Practices "tabs", automatic activation): the
 * first tab is selected and the only one in the Tab order; static/tool_tabs.js handles clicks
 * and the arrow, Home and End keys. The session workspace's side panel and an external
 * technician's console (modules/external) both show their tools this way.
 */
import type { Child } from "hono/jsx";

/** One tab: its name (ids, `data-tool`), label and content. */
export interface Tool {
  name: string;
  label: string;
  body: Child;
}

export function ToolTabs(props: {
  /** Makes the ids unique on the page: `<idPrefix>-tab-<name>-<scope>`. */
  idPrefix: string;
  scope: string;
  label: string;
  tools: Tool[];
  /** The tablist's classes. */
  listClass?: string;
  /** A panel's classes. */
  panelClass: (name: string) => string;
}) {
  const { idPrefix, scope, tools } = props;
  const tabId = (name: string) => `${idPrefix}-tab-${name}-${scope}`;
  const panelId = (name: string) => `${idPrefix}-panel-${name}-${scope}`;
  return (
    <>
      <div
        class={props.listClass ?? "workspace-tabs"}
        role="tablist"
        aria-label={props.label}
        data-workspace-tabs=""
      >
        {tools.map((tool, i) => (
          <button
            type="button"
            role="tab"
            id={tabId(tool.name)}
            class="workspace-tab"
            aria-controls={panelId(tool.name)}
            aria-selected={i === 0 ? "true" : "false"}
            tabindex={i === 0 ? 0 : -1}
            data-tool={tool.name}
          >
            {tool.label}
          </button>
        ))}
      </div>
      {tools.map((tool, i) => (
        <div
          role="tabpanel"
          id={panelId(tool.name)}
          class={props.panelClass(tool.name)}
          aria-labelledby={tabId(tool.name)}
          data-tool={tool.name}
          hidden={i !== 0}
        >
          {tool.body}
        </div>
      ))}
    </>
  );
}
