/**
 * One controller at a time per technician: of a technician's viewer sockets (two tabs, the
 * panel and its detached window) one holds the keyboard and mouse. The first to switch
 * control on or send input takes it while nobody holds it; another window's input is refused
 * (`control_elsewhere`) until it takes control (`take_control`), which moves it and tells both.
 * Each of the technician's sockets hears `control_owner` whenever the holder changes.
 */
import type { ControlOwner, ViewerMessage } from "../../protocol/viewer.ts";

/** What this file needs of a viewer socket (hub.ts's ViewerLink has it). */
export interface ControlSeat {
  readonly userId: string;
  send(message: ViewerMessage): void;
}

export class ControlOwners<S extends ControlSeat> {
  readonly #holders = new Map<string, S>();

  /** Who holds control for `seat`, as `seat` sees it. */
  ownerFor(seat: S): ControlOwner {
    const holder = this.#holders.get(seat.userId);
    return !holder ? "none" : holder === seat ? "here" : "elsewhere";
  }

  /** May `seat` drive now? Takes control when its technician has no holder. */
  claim(seat: S, seats: Iterable<S>): boolean {
    const owner = this.ownerFor(seat);
    if (owner === "elsewhere") return false;
    if (owner === "none") this.#set(seat, seats);
    return true;
  }

  /** Moves control to `seat` (from another window of the same technician). */
  take(seat: S, seats: Iterable<S>): void {
    if (this.ownerFor(seat) !== "here") this.#set(seat, seats);
  }

  /** `seat` let go (control off, socket closed): nobody of its technician holds control. */
  release(seat: S, seats: Iterable<S>): void {
    if (this.#holders.get(seat.userId) !== seat) return;
    this.#holders.delete(seat.userId);
    this.#tell(seat.userId, seats);
  }

  /** Control ended for everyone (revoked, stopped): every holder lets go. */
  releaseAll(seats: Iterable<S>): void {
    const users = [...this.#holders.keys()];
    this.#holders.clear();
    for (const user of users) this.#tell(user, seats);
  }

  #set(seat: S, seats: Iterable<S>) {
    this.#holders.set(seat.userId, seat);
    this.#tell(seat.userId, seats);
  }

  #tell(userId: string, seats: Iterable<S>) {
    for (const other of seats) {
      if (other.userId === userId) {
        other.send({ type: "control_owner", owner: this.ownerFor(other) });
      }
    }
  }
}
