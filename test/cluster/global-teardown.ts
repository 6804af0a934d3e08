/**
 * Takes down the cluster the global setup brought up (nothing when the suites ran on CLUSTER_ADDRESS),
 * whether the tests passed or not, and removes its temp folder.
 */
export default async function globalTeardown(): Promise<void> {
  const owned = (globalThis as { __cluster?: { down: () => Promise<void> } }).__cluster;
  await owned?.down();
}
