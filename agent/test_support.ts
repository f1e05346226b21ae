/**
 * An `Agent` over a still 10×10 desktop and an encoder that makes three bytes a frame: for
 * tests of what the agent says and shows (its window's state, notices), not of its picture.
 */
import { Agent, type AgentOptions } from "./agent.ts";
import type { Desktop } from "./platform/types.ts";

export function stillAgent(options: Partial<AgentOptions> = {}): Agent {
  const desktop = {
    width: 10,
    height: 10,
    grab: () => ({ width: 10, height: 10, stride: 40, data: new Uint8Array(400) }),
    cursor: () => null,
    screens: () => [],
    damage: () => null,
    keyboardLayout: () => "us",
    releaseInput: () => {},
  } as unknown as Desktop;
  return new Agent({
    desktop,
    encoder: () => ({
      encode: () => ({ data: new Uint8Array(3), keyframe: true }),
      setPreset: () => {},
      close: () => {},
    }),
    ...options,
  });
}
