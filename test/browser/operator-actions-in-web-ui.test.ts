import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { PaymentsClient } from '../../client/payments-client';
import { startEmbeddedStack, type EmbeddedStack } from '../../scripts/stack/embedded-stack';
import { freePort } from '../../scripts/stack/ports';
import { REFUND_WORKFLOW_TYPE, refundWorkflowId, type RefundRequest } from '../../workflows/refund-types';
import { ClientSnKey, RefundStateKey } from '../../workflows/search-attributes';
import { TASK_QUEUE, paymentWorkflowId, type PaymentStatus } from '../../workflows/types';
import { bookViolations, orderOf } from '../helpers/books';
import { launchChromium, screenshot } from '../helpers/browser';
import { TERMINAL_KEY, TERMINAL_SN, newPayment } from '../helpers/saga-stack';

jest.setTimeout(120_000);

/**
 * Two operator actions in the dev server's own Web UI (2.54.1), in headless Chromium, against the real
 * worker and the simulator: the payment page's **Request Cancellation** on a CONFIRMING payment (issue
 * #15: the saga compensates, the workflow closes Completed, never Canceled), and a refund started from
 * **Start Workflow** exactly as the README's Refunds section says (issue #16: task queue `upay-payments`,
 * type `refundSaga`, the JSON input). The stack's task queue is the production one, so the form is
 * filled with the runbook's own words.
 */
describe('operator actions in the Temporal Web UI (issues #15, #16)', () => {
  let stack: EmbeddedStack;
  let connection: Connection;
  let client: Client;
  let payments: PaymentsClient;
  let browser: Browser;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ui-ops-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    const starting = startEmbeddedStack({
      host: '127.0.0.1',
      port,
      uiPort,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      taskQueue: TASK_QUEUE,
      simulator: { port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }] },
    });
    let settled = false;
    starting.then(
      () => (settled = true),
      () => (settled = true),
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // The UI is up as soon as the dev server is, while the worker's bundle is still being built: load
    // it meanwhile, so the tests' first page comes from a warm browser cache.
    await Promise.all([
      starting,
      openWhenUp(page, `http://localhost:${uiPort}/namespaces/default/workflows`, () => settled),
    ]);
    stack = await starting;
    connection = await Connection.connect({ address: stack.address });
    client = new Client({ connection });
    payments = new PaymentsClient(client, TASK_QUEUE);
  });

  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Request Cancellation on a CONFIRMING payment: reversed at the gateway, the workflow Completed CANCELED (#15)', async () => {
    // The pay answers PAY_IN_PROGRESS and the order never settles: CONFIRMING for the whole minute of
    // the confirm window, so the button is pressed while the saga is still asking.
    const request = newPayment({
      subject: 'noodles',
      dynamicId: 'sim-in-progress',
      timing: {
        confirmIntervalMs: 1_000,
        confirmWindowMs: 60_000,
        cancelDelaysMs: [1_000],
        cancelDeadlineAfterMs: 20_000,
        revokeWindowAfterMs: 2_000,
        requestDoubtMs: 2_000,
      },
    });
    const workflowId = paymentWorkflowId(request.terminalSn, request.clientSn);
    payments.pay(request, { waitMs: 30_000 }).catch(() => undefined); // the checkout, not awaited
    await payments.waitFor(request, (s) => s.state === 'CONFIRMING', { timeoutMs: 15_000, intervalMs: 100 });

    // The payment's page: the Request Cancellation button and its confirmation dialog (no reason field).
    await page.goto(`${stack.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByRole('button', { name: 'Request Cancellation' }).click();
    const dialog = page.getByTestId('cancel-confirmation-modal').filter({ visible: true });
    await dialog.getByText('Are you sure you want to cancel this workflow?').waitFor();
    expect(await dialog.getByRole('textbox').count()).toBe(0); // UI 2.54.1 asks for no reason
    expect((await payments.status(request)).state).toBe('CONFIRMING');
    await screenshot(page, '7-request-cancellation-dialog');
    await dialog.getByTestId('confirm-modal-button').click();

    // The saga compensates (cancel at the gateway) and closes Completed, with the request recorded.
    const final: PaymentStatus = await payments.result(request);
    const execution = await client.workflow.getHandle(workflowId).describe();
    expect(execution.status.name).toBe('COMPLETED');
    expect(final.state).toBe('CANCELED');
    expect(final.cancellation).toMatchObject({ stateAtRequest: 'CONFIRMING', effect: 'DO_NOT_TAKE' });
    expect(final.calls.filter((c) => c.step === 'cancel').map((c) => c.kind)).toEqual(['success']);
    const ledger = stack.sim!.ledger();
    const order = orderOf(ledger, final)!;
    expect(order.order_status).toBe('PAY_CANCELED'); // the in-progress pay aborted: nothing was ever taken
    expect(order.kept_fen).toBe(0);
    expect(bookViolations(final, ledger)).toEqual([]);
    // The request is on the history's WorkflowExecutionCancelRequested event (UI 2.54.1 records no
    // identity and no reason there: the dialog asks for none).
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);

    // The page after: Completed, and Queries → status shows the state and the cancellation record
    // (`timing` and `calls` folded so that it fits the screen).
    await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 15_000 }); // no reload: it polls
    await page.getByText('Queries', { exact: true }).click();
    await page.getByRole('button', { name: 'Run Query' }).click();
    await page.getByText('"CANCELED"').first().waitFor({ timeout: 15_000 });
    await foldJson(page, ['"calls": [', '"timing": {']);
    await page.getByText('"DO_NOT_TAKE"').waitFor();
    await page.getByText('"stateAtRequest": "CONFIRMING"').waitFor();
    await screenshot(page, '8-cancellation-compensated');
  });

  it('an operator refunds a closed PAID payment from Start Workflow: REFUNDED, one refund movement in the books (#16)', async () => {
    // A payment whose revoke window closed at once: PAID, its workflow Completed; only a refund gives money back.
    const request = newPayment({ subject: 'tea', timing: { revokeWindowAfterMs: 500 } });
    expect((await payments.pay(request)).status.state).toBe('PAID');
    const paid = await payments.result(request);
    expect(paid.state).toBe('PAID');
    const refund: RefundRequest = {
      terminalSn: request.terminalSn,
      clientSn: request.clientSn,
      refundRequestNo: 'R1',
      amountFen: 500,
      operator: 'ops-wang',
      reason: 'customer returned one cup',
    };
    const refundId = refundWorkflowId(refund);

    // Workflows → Start Workflow, filled as the README says.
    await page.getByRole('link', { name: 'Workflows', exact: true }).click(); // the side bar
    await page.getByRole('link', { name: 'Start Workflow' }).click();
    await page.getByTestId('workflowId').fill(refundId);
    await page.getByTestId('taskQueue').fill(TASK_QUEUE);
    await page.getByTestId('workflowType').fill(REFUND_WORKFLOW_TYPE);
    // Checked when the Task Queue field loses focus: the UI sees the worker polling it.
    await page.getByText('Task Queue is Active').waitFor({ timeout: 15_000 });
    await page.getByLabel('Data', { exact: true }).click();
    await page.keyboard.insertText(JSON.stringify(refund, null, 2));
    await page.setViewportSize({ width: 1440, height: 1200 }); // the whole form, Start Workflow included
    await screenshot(page, '9-start-refund-workflow');
    await page.getByTestId('start-workflow-button').click();
    const started = page.getByRole('link', { name: 'Workflow started successfully' }); // the toast
    await started.waitFor({ timeout: 15_000 });
    await page.setViewportSize({ width: 1440, height: 900 });

    const refundHandle = client.workflow.getHandle(refundId);
    const status = await refundHandle.result();
    const described = await refundHandle.describe();
    expect(described.status.name).toBe('COMPLETED');
    // A start from the UI sets no search attributes: the workflow sets its own, so the runbook's
    // `WorkflowType="refundSaga" AND ClientSn="…"` finds it.
    expect(described.typedSearchAttributes.get(RefundStateKey)).toBe('REFUNDED');
    expect(described.typedSearchAttributes.get(ClientSnKey)).toBe(request.clientSn);
    expect(status).toMatchObject({ state: 'REFUNDED', amountFen: 500, refundRequestNo: 'R1', operator: 'ops-wang' });

    // The toast links to the refund's page: Completed, and Queries → status says REFUNDED.
    await started.click();
    await started.locator('xpath=../..').getByRole('button', { name: 'Close' }).click();
    await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 15_000 });
    await page.getByText('Queries', { exact: true }).click();
    await page.getByRole('button', { name: 'Run Query' }).click();
    await page.getByText('"REFUNDED"').first().waitFor({ timeout: 15_000 });
    await foldJson(page, ['"calls": [', '"timing": {']);
    await screenshot(page, '10-refund-refunded');

    const ledger = stack.sim!.ledger();
    const order = orderOf(ledger, paid)!;
    expect(order).toMatchObject({ order_status: 'PARTIAL_REFUNDED', net_amount: '734', refunded_fen: 500 });
    expect(order.kept_fen).toBe(734);
    expect(order.movements.filter((m) => m.kind === 'refund')).toHaveLength(1);
    expect(ledger.counters.refunds_by_request[`${order.sn}/R1`]).toBe(1);
    expect(order.refunds).toMatchObject([{ refund_request_no: 'R1', amount_fen: 500, state: 'landed' }]);
  });
});

/**
 * Folds the JSON viewer (CodeMirror) at the lines that start with these keys, by their fold markers in
 * the gutter: the viewer renders only the lines in view, so a long answer's tail is not on the page.
 */
async function foldJson(page: Page, keys: string[]): Promise<void> {
  for (const key of keys) {
    const line = page.locator('.cm-line', { hasText: key }).first();
    const editor = line.locator('xpath=ancestor::div[contains(@class, "cm-editor")]');
    const gutter = (await editor.locator('.cm-foldGutter').boundingBox())!;
    const box = (await line.boundingBox())!;
    await page.mouse.click(gutter.x + gutter.width / 2, box.y + box.height / 2);
  }
}

/** Opens `url` once its server answers; gives up quietly once `stop()` (the stack settled: it is up, or failed). */
async function openWhenUp(page: Page, url: string, stop: () => boolean): Promise<void> {
  for (;;) {
    try {
      await page.goto(url);
      return;
    } catch {
      if (stop()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
