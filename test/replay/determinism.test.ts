import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { HISTORIES_DIR } from '../helpers/history-corpus';

const ROOT = path.resolve(__dirname, '../..');
/** Inside the project so the copies resolve @temporalio/* from its node_modules. Git-ignored. */
const MUTANTS_DIR = path.join(ROOT, '.tmp', 'mutants');

interface Mutant {
  change: string;
  file: string;
  find: string;
  replace: string;
  /** A corpus history that runs through the changed code. */
  history: string;
}

/** Deliberately non-deterministic edits of a copy of workflows/: each must fail replay. */
const MUTANTS: Mutant[] = [
  {
    change: 'an extra activity before pay',
    file: 'pay.ts',
    find: "  const answer = saga.record('pay', 1, await gateway.pay(payInputOf(saga)));\n",
    replace:
      '  await gateway.query(saga.orderRef());\n' +
      "  const answer = saga.record('pay', 1, await gateway.pay(payInputOf(saga)));\n",
    history: 'happy.json',
  },
  {
    change: 'cancel and its query reordered',
    file: 'compensate.ts',
    find: "    const cancel = saga.record('cancel', n, await gateway.cancel(saga.orderRef()));\n",
    replace:
      '    await gateway.query(saga.orderRef());\n' +
      "    const cancel = saga.record('cancel', n, await gateway.cancel(saga.orderRef()));\n",
    history: 'in-progress-then-canceled.json',
  },
  {
    change: 'an extra timer in the schedule (confirm queries)',
    file: 'schedule.ts',
    find: '    if (left <= 0) return AGAIN;\n',
    replace: '    if (left <= 0) return AGAIN;\n    await sleep(1);\n',
    history: 'in-progress-then-paid.json',
  },
];

function buildMutant(mutant: Mutant, index: number): string {
  const dir = path.join(MUTANTS_DIR, `${process.pid}-${index}`, 'workflows');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  cpSync(path.join(ROOT, 'workflows'), dir, { recursive: true });
  const file = path.join(dir, mutant.file);
  const source = readFileSync(file, 'utf8');
  // If the workflow code moved on, this fails loudly instead of testing an unchanged copy.
  expect(source).toContain(mutant.find);
  writeFileSync(file, source.replace(mutant.find, mutant.replace));
  return dir;
}

function history(name: string): unknown {
  return JSON.parse(readFileSync(path.join(HISTORIES_DIR, name), 'utf8'));
}

describe('replay catches non-deterministic changes', () => {
  afterAll(() => rmSync(MUTANTS_DIR, { recursive: true, force: true }));

  // Found here, and worth knowing: Temporal matches a timer by its sequence, not its duration, so a
  // changed duration replays without complaint. That is why every timing knob is in the workflow
  // input (recorded in history): a new default changes new payments only, never one in flight.
  it('does not catch a changed timer duration (timers match by sequence): durations live in the input', async () => {
    const mutant: Mutant = {
      change: 'a changed timer duration',
      file: 'schedule.ts',
      find: '    if (!(await condition(() => interrupt.pending(), left))) return AGAIN;\n',
      replace: '    if (!(await condition(() => interrupt.pending(), left * 2))) return AGAIN;\n',
      history: 'in-progress-then-paid.json',
    };
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: buildMutant(mutant, 99), logger: quiet });
    await expect(
      Worker.runReplayHistory({ workflowBundle }, history(mutant.history), mutant.history),
    ).resolves.toBeUndefined();
  });

  it.each(MUTANTS.map((m, i) => [m.change, m, i] as const))(
    '%s fails replay with DeterminismViolationError',
    async (_, mutant, index) => {
      const workflowBundle = await bundleWorkflowCode({ workflowsPath: buildMutant(mutant, index), logger: quiet });
      const replay = Worker.runReplayHistory({ workflowBundle }, history(mutant.history), mutant.history);
      await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
    },
  );
});

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
