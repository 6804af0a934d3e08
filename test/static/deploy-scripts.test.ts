/**
 * deploy/temporal/create-namespace.sh, the compose job that creates the namespace and the saga's
 * search attributes, run for real: against the jest run's Temporal dev server with the same `temporal`
 * CLI the admin-tools image ships (the project's pinned one here), twice, to show it is idempotent.
 * The schema script (setup-postgres.sh) needs PostgreSQL and is only checked statically
 * (compose.test.ts).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveBinary, TEMPORAL_CLI } from '../../scripts/toolchain/temporal-binaries';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { ROOT, containerEnvironment, loadCompose, service } from './support';

const run = promisify(execFile);

describe('deploy/temporal/create-namespace.sh', () => {
  const cli = resolveBinary(TEMPORAL_CLI).path!;
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  const namespace = `deploy-script-${process.pid}-${Date.now()}`;
  const job = containerEnvironment(service(loadCompose(), 'temporal-namespace'), {});
  const env = {
    ...process.env,
    PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ''}`,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_NAMESPACE_RETENTION: job.TEMPORAL_NAMESPACE_RETENTION!,
    // The compose list plus one no server has yet, so the run shows a real creation (the dev server
    // already knows the saga's attributes: test/global-setup.ts registers them).
    SEARCH_ATTRIBUTES: `${job.SEARCH_ATTRIBUTES!} DeployScriptProbe=Bool`,
    SETUP_SLEEP_SECONDS: '1',
  };
  const script = path.join(ROOT, 'deploy', 'temporal', 'create-namespace.sh');

  it('creates the namespace and every search attribute with its type, and can run again', async () => {
    const first = await run('sh', [script], { env, timeout: 90_000 });
    expect(first.stdout).toContain(`namespace ${namespace} created (retention ${job.TEMPORAL_NAMESPACE_RETENTION})`);
    const second = await run('sh', [script], { env, timeout: 90_000 });
    expect(second.stdout).toContain(`namespace ${namespace} exists`);
    expect(second.stdout).toContain(`search attributes registered in ${namespace}`);

    const { stdout } = await run(cli, [
      'operator',
      'search-attribute',
      'list',
      '--namespace',
      namespace,
      '--address',
      address,
      '--output',
      'json',
    ]);
    const custom = (JSON.parse(stdout) as { customAttributes: Record<string, string> }).customAttributes;
    const registered = Object.fromEntries(
      Object.entries(custom).map(([name, type]) => [name, type.replace(/^INDEXED_VALUE_TYPE_/, '').toUpperCase()]),
    );
    for (const key of PAYMENT_SEARCH_ATTRIBUTES) expect([key.name, registered[key.name]]).toEqual([key.name, key.type]);
    expect(registered.DeployScriptProbe).toBe('BOOL');

    const { stdout: described } = await run(cli, [
      'operator',
      'namespace',
      'describe',
      '-n',
      namespace,
      '--address',
      address,
    ]);
    expect(described).toMatch(/WorkflowExecutionRetentionTtl\s+720h0m0s/); // 30d
  }, 120_000);

  it('fails, naming the attribute, when one exists with another type', async () => {
    await expect(
      run('sh', [script], {
        env: { ...env, SEARCH_ATTRIBUTES: 'AmountFen=Keyword', SETUP_MAX_ATTEMPTS: '1' },
        timeout: 60_000,
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('AmountFen already exists and has different type') });
  }, 90_000);
});
