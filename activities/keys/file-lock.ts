import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a writer waits for another process's lock before giving up with an error. */
const WAIT_MS = 10_000;
/** A lock this old was left by a process that died between taking and releasing it. */
const STALE_MS = 30_000;

/** Another process held the lock for longer than a write takes. */
export class LockTimeoutError extends Error {
  constructor(lockFile: string) {
    super(`${lockFile} held by another process for over ${WAIT_MS} ms`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Runs `step` holding `lockFile`, created exclusively (O_CREAT|O_EXCL works across processes on one
 * host and on a shared volume), so two worker processes never read-modify-write the key store at
 * once: without it the later writer can put back a key the earlier one had just rotated away.
 */
export async function withFileLock<T>(lockFile: string, step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await (await open(lockFile, 'wx', 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lockFile).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0, // released meanwhile: try again
      );
      if (age > STALE_MS) await rm(lockFile, { force: true });
      else if (Date.now() > deadline) throw new LockTimeoutError(lockFile);
      else await sleep(10 + Math.floor(Math.random() * 20));
    }
  }
  try {
    return await step();
  } finally {
    await rm(lockFile, { force: true });
  }
}
