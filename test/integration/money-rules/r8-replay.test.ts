import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { paymentSaga } from '../../../workflows/payment-saga';
import { DEFAULT_TIMING } from '../../../workflows/timing';
import { paymentWorkflowId, type PaymentRequest } from '../../../workflows/types';
import { finalBooks, ownOrder, postScenario, requestsAbout } from '../../helpers/money-rules';
import { newPayment, useSagaStack, waitForStatus } from '../../helpers/saga-stack';

const ROOT = path.resolve(__dirname, '../../..');
/** Inside the project so the copies resolve @temporalio/* from its node_modules. Git-ignored. */
const MUTANTS_DIR = path.join(ROOT, '.tmp', 'mutants', `r8-${process.pid}`);

interface Edit {
  file: string;
  find: string;
  replace: string;
}

/** A deploy that changes defaults and rules only: every payment in flight must still replay. */
const CHANGED_DEFAULT_AND_RULE: Edit[] = [
  // New default timing: a shorter confirm window (the 2nd query of the recorded payment would fall
  // after it and become a cancel), faster queries, an earlier pay send deadline, a shorter doubt.
  { file: 'timing.ts', find: '  confirmWindowMs: 45_000,\n', replace: '  confirmWindowMs: 6_000,\n' },
  { file: 'timing.ts', find: '  confirmIntervalMs: 5_000,\n', replace: '  confirmIntervalMs: 2_000,\n' },
  { file: 'timing.ts', find: '  paySendDeadlineMs: 30_000,\n', replace: '  paySendDeadlineMs: 1_000,\n' },
  { file: 'timing.ts', find: '  requestDoubtMs: 60_000,\n', replace: '  requestDoubtMs: 5_000,\n' },
  // A new validation bound the recorded request breaks: at most ¥10.00 (the payment is ¥12.34).
  {
    file: 'validation.ts',
    find: 'const MAX_AMOUNT_FEN = 9_999_999_999;',
    replace: 'const MAX_AMOUNT_FEN = 1_000;',
  },
];

const RECORDED_ADMISSION = "  if (rules === 'money-rules') return admitPayment({ request, startedAt });\n";

/**
 * The controls: the same deploy, had the workflow re-derived what admission recorded (the admission
 * still runs, but its answer is overridden in the workflow). Replay must catch each, or the test
 * proves nothing: the changed bound fails a request that ran, the changed window ends the confirm
 * queries early.
 */
const CONTROLS: [string, Edit][] = [
  [
    'the validation rule',
    {
      file: 'admission.ts',
      find: RECORDED_ADMISSION,
      replace:
        "  if (rules === 'money-rules') {\n" +
        '    const recorded = await admitPayment({ request, startedAt });\n' +
        '    const problems = validatePaymentRequest(request);\n' +
        '    return problems.length > 0 ? { admitted: false, problems } : recorded;\n' +
        '  }\n',
    },
  ],
  [
    'the default timing',
    {
      file: 'admission.ts',
      find: RECORDED_ADMISSION,
      replace:
        "  if (rules === 'money-rules') {\n" +
        '    const recorded = await admitPayment({ request, startedAt });\n' +
        '    return recorded.admitted ? { admitted: true, timing: resolveTiming(request.timing, startedAt) } : recorded;\n' +
        '  }\n',
    },
  ],
];

function buildCopy(name: string, edits: Edit[]): string {
  const dir = path.join(MUTANTS_DIR, name, 'workflows');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  cpSync(path.join(ROOT, 'workflows'), dir, { recursive: true });
  for (const edit of edits) {
    const file = path.join(dir, edit.file);
    const source = readFileSync(file, 'utf8');
    // If workflows/ moved on, fail loudly instead of replaying an unchanged copy.
    expect(source).toContain(edit.find);
    writeFileSync(file, source.replace(edit.find, edit.replace));
  }
  return dir;
}

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/**
 * Money rules R8, old payments replay whatever changed: a payment started without explicit timing (the
 * Web UI, the Temporal CLI) keeps the timing and the admission it started with, recorded in its history
 * (activities/admission.ts, an activity), so a deploy that changes a default timing or a
 * validation rule cannot break its replay.
 */
describe('money rules R8: old payments replay, whatever changed', () => {
  const stack = useSagaStack();
  let handle: WorkflowHandle<typeof paymentSaga> | undefined;

  afterAll(() => rmSync(MUTANTS_DIR, { recursive: true, force: true }));
  afterEach(async () => {
    if (handle && (await handle.describe()).status.name === 'RUNNING') await handle.terminate('money-rules R8 test');
  });

  it('R8: a payment started with no timing, open on the real server, replays on workflows/ with a changed default timing and validation bound', async () => {
    // Started as the Web UI starts it: the bare request, no timing, no search attributes.
    const request: PaymentRequest = newPayment();
    delete request.timing;
    // In progress; the 2nd confirm query (10 s in, at the default 5 s interval) finds it PAID.
    await postScenario(stack.sim, request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
    });
    const workflowId = paymentWorkflowId(request.terminalSn, request.clientSn);
    handle = await stack.client.workflow.start<typeof paymentSaga>('paymentSaga', {
      workflowId,
      taskQueue: stack.taskQueue,
      args: [request],
    });

    const paid = await waitForStatus(stack, request, (s) => s.state === 'PAID', 30_000);
    // It runs on the defaults of the day it started, as admission recorded them.
    expect(paid.timing).toMatchObject({
      confirmIntervalMs: DEFAULT_TIMING.confirmIntervalMs,
      confirmWindowMs: DEFAULT_TIMING.confirmWindowMs,
      requestDoubtMs: DEFAULT_TIMING.requestDoubtMs,
      paySendDeadline: paid.startedAt + DEFAULT_TIMING.paySendDeadlineMs,
    });
    expect(paid.calls.map((c) => `${c.step}#${c.attempt}`)).toEqual(['pay#1', 'confirm-query#1', 'confirm-query#2']);
    // The gateway's books agree: paid once, kept.
    const books = await finalBooks(stack.sim);
    expect(ownOrder(books, request)).toMatchObject({ order_status: 'PAID', kept_fen: request.amountFen });
    expect(requestsAbout(books, request.clientSn, 'cancel')).toEqual([]);

    // Its history while it is open (it holds until the end of the business day).
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const markers = events.map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
    expect(markers).toContain('core_patch'); // the money-rules patch
    // The admission's answer is in the history: an activity (or, in earlier versions, a local activity's marker).
    const activities = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities.includes('admitPayment') || markers.includes('core_local_activity')).toBe(true);
    expect(activities.filter((a) => a !== 'admitPayment')).toEqual(['payOrder', 'queryOrder', 'queryOrder']);

    // The deploy: a changed default timing and a changed validation bound. The payment replays.
    const changed = await bundleWorkflowCode({
      workflowsPath: buildCopy('changed', CHANGED_DEFAULT_AND_RULE),
      logger: quiet,
    });
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, history, workflowId)).resolves.toBeUndefined();

    // The controls: the same deploy, each change re-derived in the workflow instead of recorded, is caught.
    for (const [index, [what, edit]] of CONTROLS.entries()) {
      const unrecorded = await bundleWorkflowCode({
        workflowsPath: buildCopy(`unrecorded-${index}`, [...CHANGED_DEFAULT_AND_RULE, edit]),
        logger: quiet,
      });
      const caught = await Worker.runReplayHistory({ workflowBundle: unrecorded }, history, workflowId).then(
        () => 'replayed',
        (err: unknown) => (err instanceof DeterminismViolationError ? 'DeterminismViolationError' : String(err)),
      );
      expect(`${what}: ${caught}`).toBe(`${what}: DeterminismViolationError`);
    }
  });
});
