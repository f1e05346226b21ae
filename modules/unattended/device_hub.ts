/**
 * The device sockets this instance holds (one per device; a newer one replaces the older),
 * so a technician's Connect can tell the device to join at once. Per running app, like the
 * remote hub. Which instance holds a device is also in `devices.online_instance` (the
 * Computers list reads it); a Connect on another instance reaches the device through a
 * `deviceJoin` live notice (device_gateway.ts), which its socket's instance hears.
 */
import type { DeviceServerMessage } from "../../protocol/mod.ts";
import type { AppDeps } from "../http/mod.ts";

export interface DeviceLink {
  /**
   * The X25519 key the device's hello announced (its proof signed it): credentials typed at
   * Connect are sealed to it. None: an agent from before sealing, sent them in the clear.
   */
  readonly sealingKey?: string | null;
  send(message: DeviceServerMessage): void;
  close(code: number, reason: string): void;
  /** Tells the device to join a session — once per session, whoever asks first. */
  join(message: Omit<Extract<DeviceServerMessage, { type: "join" }>, "type">): void;
}

export class DeviceHub {
  readonly #links = new Map<string, DeviceLink>();

  /** Holds `link` for the device; returns the link it replaces, if any. */
  attach(deviceRef: string, link: DeviceLink): DeviceLink | null {
    const previous = this.#links.get(deviceRef) ?? null;
    this.#links.set(deviceRef, link);
    return previous === link ? null : previous;
  }

  /** Forgets `link` if it is still the device's; says whether it was. */
  detach(deviceRef: string, link: DeviceLink): boolean {
    if (this.#links.get(deviceRef) !== link) return false;
    this.#links.delete(deviceRef);
    return true;
  }

  find(deviceRef: string): DeviceLink | null {
    return this.#links.get(deviceRef) ?? null;
  }

  get size(): number {
    return this.#links.size;
  }
}

const hubs = new WeakMap<AppDeps, DeviceHub>();

export function deviceHub(deps: AppDeps): DeviceHub {
  let hub = hubs.get(deps);
  if (!hub) hubs.set(deps, hub = new DeviceHub());
  return hub;
}
