import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { TEMPORAL_CLI, resolveBinary, toEphemeralExecutable } from './temporal-binaries';

/**
 * Dynamic config the saga relies on: update-with-start (early return of the pay outcome).
 * Passed to every dev server the project starts.
 */
export const DEV_SERVER_DYNAMIC_CONFIG = ['frontend.enableExecuteMultiOperation=true'];

export function dynamicConfigArgs(): string[] {
  return DEV_SERVER_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]);
}

/**
 * Starts a real Temporal dev server through the SDK (`existing-path` when the CLI was found), with
 * the saga's search attributes registered. In-memory unless `dbFilename` is given.
 */
export async function startLocalTemporal(
  opts: { dbFilename?: string; ui?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: toEphemeralExecutable(resolveBinary(TEMPORAL_CLI)),
      searchAttributes: [...PAYMENT_SEARCH_ATTRIBUTES],
      dbFilename: opts.dbFilename,
      ui: opts.ui ?? false,
      extraArgs: dynamicConfigArgs(),
    },
  });
}
