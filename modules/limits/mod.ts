/**
 * Rate limits shared by every door and every instance: one budget per action and key in
 * `LIMITS` (session creation per user, channel forms per address, customer chat per
 * session, PIN guesses per address and across the installation), counted in the database
 * table `rate_limits`. `consume` takes one use or says how many seconds to wait; `enforce`
 * throws `RateLimited` instead (doors answer 429 with Retry-After); `record` counts
 * something that happened; `usage` reads the estimate, `windowCounts` the exact counts of
 * the current and previous window; `addressKey` groups IPv6 by /64.
 */
export {
  addressKey,
  consume,
  enforce,
  type LimitRequest,
  type LimitVerdict,
  RateLimited,
  record,
  sweepRateLimits,
  usage,
  windowCounts,
} from "./limiter.ts";
export { type LimitAction, LIMITS, slidingVerdict } from "./policy.ts";
export { rateLimits } from "./schema.ts";
