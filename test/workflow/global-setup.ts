import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';

/** Env variable through which the test files find the bundle built here. */
export const WORKFLOW_BUNDLE_ENV = 'UPAY_WORKFLOW_BUNDLE';

/**
 * Bundles workflows/ once for every file of the workflow layer (webpack takes ~2 s; once per file
 * would be that times the number of files). Runs only when a workflow-layer test is selected. A
 * bundle that fails to build is left to each file (harness.ts bundles itself and reports the
 * error there), so a broken workflow fails its tests, not the whole jest run.
 */
export default async function globalSetup(): Promise<void> {
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: new DefaultLogger('WARN'),
    });
    const file = path.join(tmpdir(), `upay-workflow-bundle-${process.pid}.js`);
    await writeFile(file, code);
    process.env[WORKFLOW_BUNDLE_ENV] = file;
  } catch (err) {
    console.warn(`workflow layer: bundling failed once, each test file will retry: ${(err as Error).message}`);
  }
}
