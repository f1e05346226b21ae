/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The technician's file manager for one session: the consent line, the toolbar, the two panes
 * (left: the technician's computer, right: the customer's), the status line, the transfer
 * queue and the dialogs. State lives here; moving around is commands.ts, file operations
 * actions.ts, the rules in the DOM-free files beside them.
 */
import { whenShown } from "./shown.ts";
import { Component } from "preact";
import type { FileManagerMount } from "../../protocol/file_manager_ui.ts";
import { Actions } from "./actions.ts";
import { Navigator } from "./commands.ts";
import { type AgentState, ConsentBar } from "./consent.tsx";
import type { AgentStateEvent } from "./feed.ts";
import { OpenDialog } from "./dialogs.tsx";
import { openEditor, saveEditor } from "./edit.ts";
import { type Translate, translator } from "./format.ts";
import { keyAction } from "./keys.ts";
import { Pane } from "./pane.tsx";
import { RemoteApi } from "./remote_api.ts";
import type { SideId } from "./sides.ts";
import { type FmState, INITIAL, other } from "./state.ts";
import { LocalTools, RemoteTools, Toolbar } from "./toolbar.tsx";
import { TransferPanel } from "./transfers.tsx";

export interface FileManagerProps {
  mount: FileManagerMount;
  /** Told the component once it exists (the entry keeps a registry for tests). */
  onMount?(view: FileManager): void;
}

export class FileManager extends Component<FileManagerProps, FmState> {
  readonly t: Translate;
  readonly nav: Navigator;
  readonly actions: Actions;
  #root: HTMLDivElement | null = null;
  #stopWaiting = () => {};
  /** Redraws the transfer panel every second while it is busy: with no bytes coming (the
   * customer's computer went away), the rate and time left must still fall (queue.ts). */
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(props: FileManagerProps) {
    super(props);
    this.state = { ...INITIAL };
    this.t = translator(props.mount.labels);
    const api = new RemoteApi(props.mount.files, props.mount.csrf, this.t("failed"));
    this.nav = new Navigator({
      get: () => this.state,
      set: (change) => this.setState(change as Partial<FmState>),
      t: this.t,
      focusPane: (side) => this.#focus(side),
    }, api);
    this.actions = new Actions(this.nav);
    props.onMount?.(this);
  }

  override componentDidMount() {
    // One stream for the consent and the transfers (feed.ts): its first event is the state.
    this.actions.feed.onState = (state) => this.#agentState(state);
    this.actions.feed.start();
    void this.nav.startLocal();
    this.#ticker = setInterval(() => {
      const busy = this.actions.queue.jobs.some((j) => j.state === "running");
      if (busy) this.setState((s) => ({ tick: s.tick + 1 }));
    }, 1000);
  }

  override componentWillUnmount() {
    clearInterval(this.#ticker);
    this.#stopWaiting();
    this.actions.feed.close();
    this.actions.queue.cancelAll();
  }

  override componentDidUpdate() {
    this.#root?.querySelector(`[data-pane=${this.state.active}] .is-cursor`)?.scrollIntoView({
      block: "nearest",
    });
  }

  #agentState(raw: AgentStateEvent) {
    const next: AgentState = {
      present: raw.present,
      offered: raw.offered,
      consent: (raw.consent?.files ?? "off") as AgentState["consent"],
    };
    const was = this.state.agent?.present && this.state.agent.consent === "granted";
    const now = next.present && next.consent === "granted";
    this.setState({ agent: next, asking: false });
    if (now && !was) {
      this.#stopWaiting = whenShown(this.#root, () => void this.nav.startRemote());
    }
    if (!now && was) this.#stopWaiting();
    if (!now && was) {
      this.setState((s) => ({
        remote: { ...s.remote, entries: [], selected: new Set() },
        places: null,
      }));
    }
  }

  #consent(verb: "request" | "revoke") {
    this.setState({ asking: verb === "request" });
    fetch(`${this.props.mount.agent}/${verb}`, {
      method: "POST",
      headers: {
        "x-csrf-token": this.props.mount.csrf,
        "content-type": "application/x-www-form-urlencoded",
        // A refusal comes back as the console's one-paragraph flash fragment.
        "hx-request": "true",
      },
      body: new URLSearchParams({ capability: "files" }),
    }).then(async (r) => {
      if (!r.ok) {
        const html = await r.text().catch(() => "");
        const said = new DOMParser().parseFromString(html, "text/html").body.textContent?.trim();
        this.setState({ asking: false, status: { text: said || this.t("failed"), error: true } });
      }
    }).catch(() =>
      this.setState({ asking: false, status: { text: this.t("failed"), error: true } })
    );
  }

  #focus(side: SideId) {
    this.setState({ active: side });
    this.#root?.querySelector<HTMLElement>(`[data-pane=${side}] .fm-list`)?.focus();
  }

  #onKey = (event: KeyboardEvent) => {
    if (this.state.dialog) return;
    const action = keyAction(event);
    if (!action) return;
    const target = event.target as HTMLElement;
    const inField = target.matches("input, textarea, select");
    const onList = target.closest(".fm-list") !== null;
    const anywhere = action === "leftPane" || action === "rightPane";
    if ((inField && !anywhere) || (!onList && !anywhere && action !== "help")) return;
    event.preventDefault();
    const id = this.state.active;
    const nav = this.nav;
    const cursor = this.state[id].entries.find((e) => e.name === this.state[id].cursor);
    switch (action) {
      case "otherPane":
        return this.#focus(other(id));
      case "leftPane":
        return this.#focus("local");
      case "rightPane":
        return this.#focus("remote");
      case "next":
      case "previous":
      case "first":
      case "last":
        return nav.moveCursor(id, action);
      case "toggle":
        return nav.toggleCursor(id);
      case "open":
        if (cursor?.kind === "dir") {
          return void nav.load(id, nav.side(id)!.join(this.state[id].path, cursor.name));
        }
        return void openEditor(nav, id);
      case "up":
        return nav.up(id);
      case "selectAll":
        return nav.select(id, { op: "all" });
      case "copy":
        return this.actions.clip(false);
      case "cut":
        return this.actions.clip(true);
      case "paste":
        return this.actions.paste();
      case "transfer":
        return this.actions.transfer(false);
      case "move":
        return this.actions.transfer(true);
      case "rename":
        return this.actions.rename();
      case "delete":
        return this.actions.remove();
      case "newFolder":
        return this.actions.newFolder();
      case "edit":
        return void openEditor(nav, id);
      case "help":
        return this.setState({ dialog: { kind: "help" } });
      case "close":
        return nav.select(id, { op: "none" });
    }
  };

  #pane(id: SideId) {
    const nav = this.nav;
    const s = this.state;
    const granted = s.agent?.present && s.agent.consent === "granted";
    if (id === "remote" && !granted) {
      return (
        <section class="fm-pane fm-pane-off" data-pane="remote" aria-label={this.t("customerSide")}>
          <h3 class="fm-pane-title">{this.t("customerSide")}</h3>
          <p class="muted">{this.t("needsConsent")}</p>
        </section>
      );
    }
    if (id === "local" && s.localMode === "none") {
      return (
        <section class="fm-pane fm-pane-off" data-pane="local" aria-label={this.t("yourSide")}>
          <h3 class="fm-pane-title">{this.t("yourSide")}</h3>
          <p class="muted">{this.t("chooseLocal")}</p>
          <LocalTools t={this.t} nav={nav} mode={s.localMode} />
        </section>
      );
    }
    return (
      <Pane
        t={this.t}
        id={id}
        title={id === "local" ? this.t("yourSide") : this.t("customerSide")}
        model={s[id]}
        active={s.active === id}
        tools={id === "local"
          ? <LocalTools t={this.t} nav={nav} mode={s.localMode} />
          : <RemoteTools t={this.t} nav={nav} places={s.places} showUsers={s.showUsers} />}
        onFocus={() => s.active !== id && this.setState({ active: id })}
        onGo={(path) => nav.go(id, path)}
        onUp={() => nav.up(id)}
        onRefresh={() => void nav.load(id, undefined, true)}
        onHidden={(on) => nav.setHidden(id, on)}
        onSort={(key) => nav.sort(id, key)}
        onClick={(name, mods) => nav.click(id, name, mods)}
        onOpen={(entry) =>
          entry.kind === "dir"
            ? void nav.load(id, nav.side(id)!.join(s[id].path, entry.name))
            : void openEditor(nav, id)}
      />
    );
  }

  override render() {
    const s = this.state;
    const { mount } = this.props;
    const granted = Boolean(s.agent?.present && s.agent.consent === "granted");
    return (
      <div
        class="fm"
        ref={(el: HTMLDivElement | null) => (this.#root = el)}
        onKeyDown={this.#onKey}
        data-consent={s.agent?.consent ?? ""}
      >
        <ConsentBar
          t={this.t}
          state={s.agent}
          busy={s.asking}
          onAsk={() => this.#consent("request")}
          onEnd={() => this.#consent("revoke")}
        />
        <Toolbar
          t={this.t}
          state={s}
          ready={granted && s.localMode !== "none"}
          detached={mount.detached || !mount.window}
          actions={this.actions}
          nav={this.nav}
          onEdit={() => void openEditor(this.nav)}
          onHelp={() => this.setState({ dialog: { kind: "help" } })}
          onDetach={() =>
            globalThis.open(mount.window, `files-${mount.session}`, "popup,width=1200,height=800")}
        />
        <div class="fm-panes">
          {this.#pane("local")}
          {this.#pane("remote")}
        </div>
        <p
          class={`fm-status${s.status?.error ? " is-error" : ""}`}
          role="status"
          aria-live="polite"
        >
          {s.status?.text ?? ""}
        </p>
        <TransferPanel
          t={this.t}
          jobs={this.actions.queue.jobs}
          totals={this.actions.queue.totals()}
          onCancel={(id) => this.actions.queue.cancel(id)}
          onCancelAll={() => this.actions.queue.cancelAll()}
          onClear={() => this.actions.queue.clearFinished()}
        />
        <OpenDialog
          t={this.t}
          dialog={s.dialog}
          onClose={() => this.setState({ dialog: null })}
          onSave={(text) => void saveEditor(this.nav, text)}
        />
      </div>
    );
  }
}
