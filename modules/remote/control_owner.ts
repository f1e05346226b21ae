/**
 * One controller at a time per session (SPEC K1/K3): of all the viewer sockets on a session —
 * a technician's two tabs, the panel and its detached window, a collaborator's, an external
 * technician's — one holds the keyboard and mouse. While nobody holds it, the first to switch
 * control on or send input takes it. After that control only moves explicitly:
 *
 * - another window of the holder's own technician takes it (`take`: same person, no question);
 * - another technician asks (`request`); the holder gives it (`give`) or declines;
 * - the holder gives it to a technician of its choice (`give`) without being asked;
 * - the lead takes it back (`take` with `lead`), whoever holds it.
 *
 * Ending control (the customer's grant, for everyone) is the holder's alone while someone holds
 * it (`mayEndControl` in protocol/viewer.ts; hub.ts's `setControl` refuses the others).
 *
 * A monitoring admin's seat (`monitor`) never holds, asks for or receives control.
 * Every seat hears `control_owner` whenever the holder or the open request changes.
 */
import type { ControlOwner, ControlRefusal, ViewerMessage } from "../../protocol/viewer.ts";

/** What this file needs of a viewer socket (hub.ts's ViewerLink has it). */
export interface ControlSeat {
  readonly userId: string;
  readonly name: string;
  /** A monitoring admin's extra viewer: the picture only, never control. */
  readonly monitor?: boolean;
  send(message: ViewerMessage): void;
}

export class ControlOwners<S extends ControlSeat> {
  #holder: S | null = null;
  /** An open request for control from a seat of another technician. */
  #asking: S | null = null;

  /** `onMove`: called after the holder changed (the customer's page names the holder). */
  constructor(private readonly onMove: () => void = () => {}) {}

  /** Who holds control for `seat`, as `seat` sees it. */
  ownerFor(seat: S): ControlOwner {
    const holder = this.#holder;
    if (!holder) return "none";
    if (holder === seat) return "here";
    return holder.userId === seat.userId ? "elsewhere" : "other";
  }

  /** The seat holding control (null: nobody). */
  get holder(): S | null {
    return this.#holder;
  }

  /** May `seat` drive now? Takes control when nobody holds it. */
  claim(seat: S, seats: Iterable<S>): ControlRefusal | null {
    if (seat.monitor) return "control_monitor";
    const owner = this.ownerFor(seat);
    if (owner === "elsewhere") return "control_elsewhere";
    if (owner === "other") return "control_taken";
    if (owner === "none") this.#set(seat, seats);
    return null;
  }

  /**
   * Moves control to `seat`: from another window of the same technician always, from another
   * technician only for the session's lead (taking it back).
   */
  take(seat: S, seats: Iterable<S>, opts: { lead: boolean }): ControlRefusal | null {
    if (seat.monitor) return "control_monitor";
    const owner = this.ownerFor(seat);
    if (owner === "here") {
      // Already the holder (the customer's grant gave it the asker): said again, so an
      // island that asks always hears where control is.
      seat.send(this.messageFor(seat, [...seats]));
      return null;
    }
    if (owner === "other" && !opts.lead) return "control_taken";
    this.#set(seat, seats);
    return null;
  }

  /** `seat` asks the holder (another technician) for control. */
  request(seat: S, seats: Iterable<S>): ControlRefusal | null {
    if (seat.monitor) return "control_monitor";
    const owner = this.ownerFor(seat);
    if (owner !== "other") return this.claim(seat, seats);
    this.#asking = seat;
    this.tellAll(seats);
    return null;
  }

  /**
   * The holder hands control to `toUserId` (the seat that asked, if it is theirs, or else
   * one of their watching seats). Only the holder gives; a monitor never receives.
   */
  give(from: S, toUserId: string, seats: Iterable<S>): ControlRefusal | null {
    if (this.#holder !== from) return "control_not_holder";
    const all = [...seats];
    const candidates = all.filter((s) => s.userId === toUserId && !s.monitor && s !== from);
    const target = candidates.find((s) => s === this.#asking) ?? candidates[0];
    if (!target) return "control_no_target";
    this.#set(target, all);
    return null;
  }

  /** The holder says no to the open request. */
  decline(from: S, seats: Iterable<S>): ControlRefusal | null {
    if (this.#holder !== from) return "control_not_holder";
    this.#asking = null;
    this.tellAll(seats);
    return null;
  }

  /** `seat` let go (control off, socket closed): nobody holds control. */
  release(seat: S, seats: Iterable<S>): void {
    if (this.#asking === seat) {
      this.#asking = null;
      if (this.#holder !== seat) this.tellAll(seats);
    }
    if (this.#holder !== seat) return;
    this.#holder = null;
    this.#asking = null;
    this.tellAll(seats);
    this.onMove();
  }

  /** Control ended for everyone (revoked, stopped): the holder lets go. */
  releaseAll(seats: Iterable<S>): void {
    if (!this.#holder && !this.#asking) return;
    this.#holder = null;
    this.#asking = null;
    this.tellAll(seats);
    this.onMove();
  }

  /** What `seat` hears about control (also sent on join and leave: `others` changes). */
  messageFor(seat: S, seats: Iterable<S>): ViewerMessage {
    const asking = this.#asking;
    const others = new Map<string, string>();
    for (const s of seats) if (s.userId !== seat.userId && !s.monitor) others.set(s.userId, s.name);
    return {
      type: "control_owner",
      owner: this.ownerFor(seat),
      holder: this.#holder?.name ?? null,
      others: [...others].map(([userId, name]) => ({ userId, name })),
      // The holder sees who asks (to give or decline); the asker sees that it asked.
      asking: asking && (this.#holder === seat || asking.userId === seat.userId)
        ? { userId: asking.userId, name: asking.name }
        : null,
    };
  }

  #set(seat: S, seats: Iterable<S>) {
    this.#holder = seat;
    if (this.#asking?.userId === seat.userId) this.#asking = null;
    this.tellAll(seats);
    this.onMove();
  }

  /** Tells every seat (after a change of holder, request or who is there). */
  tellAll(seats: Iterable<S>) {
    const all = [...seats];
    for (const seat of all) seat.send(this.messageFor(seat, all));
  }
}
