/**
 * Polls `test` every `every` ms (100 unless said) until it gives a truthy value (returned), or
 * throws after `ms`.
 */
export async function eventually<T>(
  what: string,
  test: () => Promise<T> | T,
  ms = 30_000,
  every = 100,
) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await test();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
