/** Polls `probe` until it returns a value that passes `done`, or fails after the timeout. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  {
    timeoutMs = 20_000,
    intervalMs = 100,
    what = "the condition",
    describe = (value: T) => JSON.stringify(value),
  }: {
    timeoutMs?: number;
    intervalMs?: number;
    what?: string;
    /** How the last value reads in the failure message. */
    describe?: (value: T) => string;
  } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
