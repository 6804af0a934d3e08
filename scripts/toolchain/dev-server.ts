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
 * Starts a real Temporal dev server through the SDK (`existing-path` when the CLI was found), in memory
 * and without the Web UI, with the saga's search attributes registered. For the tests (test/global-setup.ts).
 */
export async function startLocalTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: toEphemeralExecutable(resolveBinary(TEMPORAL_CLI)),
      searchAttributes: [...PAYMENT_SEARCH_ATTRIBUTES],
      ui: false,
      extraArgs: dynamicConfigArgs(),
    },
  });
}

/** `temporal server start-dev` arguments for the embedded stack: SQLite file, UI, search attributes. */
export function devServerArgs(opts: { ip: string; port: number; uiPort: number; dbFile: string }): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    opts.ip,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--db-filename',
    opts.dbFile,
    // WAL keeps the file consistent and fast enough for a laptop (temporal-notes §8).
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
    ...PAYMENT_SEARCH_ATTRIBUTES.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${searchAttributeTypeName(key.type)}`,
    ]),
    ...dynamicConfigArgs(),
  ];
}

/** The CLI's spelling of a search attribute type (KEYWORD → Keyword). */
function searchAttributeTypeName(type: string): string {
  return type.charAt(0) + type.slice(1).toLowerCase();
}
