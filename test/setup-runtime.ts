import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers log every activity at INFO; tests only want warnings. The runtime is per process and can
// be installed once, so a second test file in the same jest worker keeps the first one's.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
