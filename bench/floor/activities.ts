/** Does nothing: the floor measures Temporal, not work. */
export async function noop(): Promise<void> {
  return Promise.resolve();
}
