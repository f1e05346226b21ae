/** What a live notice says changed; subscribers decide what it means for whom they serve. */
export type LiveEvent =
  | { readonly kind: "session"; readonly orgId: string; readonly sessionId: string }
  | {
    readonly kind: "log";
    readonly orgId: string;
    readonly sessionId: string;
    readonly logId: number;
  }
  | { readonly kind: "presence"; readonly orgId: string; readonly userId: string }
  /** The session's agent home changed (modules/remote): viewers and streams look again. */
  | { readonly kind: "remote"; readonly orgId: string; readonly sessionId: string }
  /**
   * A person's rights or sign-in changed (deactivated, moved, signed out, their group's
   * permissions edited): whatever holds a long-lived connection for them checks again.
   * Without `userId`, anyone in the organisation may be concerned.
   */
  | { readonly kind: "access"; readonly orgId: string; readonly userId?: string }
  /** The session's agent home (the instance its agent is connected to) changed. */
  | { readonly kind: "remote"; readonly orgId: string; readonly sessionId: string }
  /**
   * An unattended session was made for a device whose socket another instance may hold
   * (modules/unattended): the holder tells the device to join. `sealedCredentials` are the
   * OS credentials typed at Connect, sealed to the device's own key for this session —
   * never anything in the clear.
   */
  | {
    readonly kind: "deviceJoin";
    readonly orgId: string;
    readonly deviceRef: string;
    readonly sessionId: string;
    readonly sealedCredentials?: string;
  }
  /**
   * Notices of this organisation may have been missed (the bus's LISTEN connection died
   * and came back): anything of it may have changed, look again at everything.
   */
  | { readonly kind: "resync"; readonly orgId: string };
