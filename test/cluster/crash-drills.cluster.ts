import { crashService, restartPostgres } from '../../scripts/cluster/control';
import { clusterAddress, drillTarget } from './cluster-env';
import { describeResult, runDrill, type DrillResult } from './drill';

/** Payments per phase (paying, confirming, cancelling, revoking) in each drill; one FAILED besides. */
const PER_PHASE = Number(process.env.CLUSTER_DRILL_PER_PHASE ?? 2);
/** How long a killed service or PostgreSQL stays down before it is started again. */
const DOWN_MS = 2_000;

jest.setTimeout(10 * 60_000);

/**
 * The crash drills on the cluster (issue #17): mid-saga, with payments in every phase, kill -9 a worker
 * process, kill -9 the history service (the single server process when the cluster is not split), and
 * restart PostgreSQL. Every payment must reach its right state, every checkout its answer, and reconcile
 * against the simulator's ledger must find no 单边账. Numbers are printed for the README.
 */
describe('crash drills on the cluster', () => {
  const results: DrillResult[] = [];
  afterAll(() => {
    if (results.length > 0) console.log(`crash drills:\n${results.map((r) => `  ${describeResult(r)}`).join('\n')}`);
  });

  it('kill -9 of one of two workers mid-saga: the other finishes every payment', async () => {
    const result = await runDrill(clusterAddress(), 'kill -9 worker', PER_PHASE, async ({ workers }) => {
      workers[0]!.child.kill('SIGKILL');
      await new Promise((r) => workers[0]!.child.once('exit', r));
    });
    results.push(result);
  });

  it('kill -9 of the history service (or the single server) mid-saga, started again 2 s later', async () => {
    const target = drillTarget();
    const result = await runDrill(clusterAddress(), `kill -9 ${target.historyService}`, PER_PHASE, () =>
      crashService(target.historyService, { downMs: DOWN_MS, ...(target.dataDir ? { dataDir: target.dataDir } : {}) }),
    );
    results.push(result);
  });

  it('PostgreSQL stopped immediately mid-saga and started again 2 s later', async () => {
    const target = drillTarget();
    const result = await runDrill(clusterAddress(), 'PostgreSQL restart', PER_PHASE, () =>
      restartPostgres({ downMs: DOWN_MS, ...(target.dataDir ? { dataDir: target.dataDir } : {}) }),
    );
    results.push(result);
  });
});
