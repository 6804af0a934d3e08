import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { PaymentsClient } from '../../client/payments-client';
import { startEmbeddedStack, type EmbeddedStack } from '../../scripts/stack/embedded-stack';
import { freePort } from '../../scripts/stack/ports';
import { paymentSummary, shanghaiClock } from '../../workflows/details';
import { paymentWorkflowId } from '../../workflows/types';
import { launchChromium, screenshot } from '../helpers/browser';
import { TERMINAL_KEY, TERMINAL_SN, newPayment } from '../helpers/saga-stack';

jest.setTimeout(180_000);

/**
 * The operator's desk, for real: the dev server's own Web UI in headless Chromium. Find the payment
 * by its search attributes (shown as list columns), read its summary and current details on the
 * User Metadata tab, send `revoke` through "Send a Signal", read `status` on the Queries tab, see
 * the details follow the payment to REVOKED and each gateway activity named on the timeline.
 */
describe('revoke from the Temporal Web UI', () => {
  let stack: EmbeddedStack;
  let connection: Connection;
  let payments: PaymentsClient;
  let browser: Browser;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ui-test-'));
    stack = await startEmbeddedStack({
      host: '127.0.0.1',
      port: await freePort(),
      uiPort: await freePort(),
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      taskQueue: 'ui-test',
      simulator: { port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }] },
    });
    connection = await Connection.connect({ address: stack.address });
    payments = new PaymentsClient(new Client({ connection }), stack.config.taskQueue);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds a PAID payment by PaymentState and ClientSn, revokes it by signal, and reads REVOKED', async () => {
    const request = newPayment({ subject: 'coffee', timing: { revokeWindowAfterMs: 10 * 60_000 } });
    const { workflowId, status } = await payments.pay(request);
    expect(status.state).toBe('PAID');
    expect(workflowId).toBe(paymentWorkflowId(request.terminalSn, request.clientSn));

    // 1. The list, filtered the way the runbook's saved query does, with the payment's columns.
    const query = `PaymentState="PAID" AND ClientSn="${request.clientSn}"`;
    await page.goto(`${stack.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const row = page.getByRole('link', { name: workflowId });
    await row.waitFor({ timeout: 30_000 });
    await showPaymentColumns(page);
    const listed = page.getByRole('row').filter({ hasText: workflowId });
    await listed.getByText('PAID', { exact: true }).waitFor();
    await listed.getByText('1234', { exact: true }).waitFor();
    await screenshot(page, '1-find-payment');

    // 2. The payment's page, User Metadata: its one-line summary and its current details.
    await row.click();
    await page.getByText('User Metadata', { exact: true }).click();
    const until = `revoke until ${shanghaiClock(status.timing.revokeWindowEnd, false)} (Asia/Shanghai)`;
    await userMetadataShows(page, [
      paymentSummary(request),
      `PAID · ${paymentSummary(request)}`,
      'Last gateway answer: pay at',
      `Operator: ${until}`,
    ]);
    await screenshot(page, '4-payment-details-paid');

    // 3. More Actions → Send a Signal.
    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
    const modal = page.getByTestId('signal-confirmation-modal').filter({ visible: true });
    await modal.getByTestId('signal-select-button').click();
    await page.getByRole('option', { name: /^revoke/ }).click();
    const data = modal.getByRole('textbox').last();
    await data.click();
    await data.fill('{"operator":"ops-wang","reason":"customer returned the goods"}');
    await screenshot(page, '2-send-revoke-signal');
    await modal.getByTestId('confirm-modal-button').click();
    await page.locator('#workflow-signal-success-toast').waitFor({ timeout: 15_000 });

    // 4. The Queries tab shows the status query's answer.
    await waitUntil(async () => (await payments.status(request)).state === 'REVOKED');
    await page.getByText('Queries', { exact: true }).click();
    await page.getByRole('button', { name: 'Run Query' }).click();
    await page.getByText('"REVOKED"').first().waitFor({ timeout: 30_000 });
    await screenshot(page, '3-status-query-revoked');

    // 5. The details followed the payment (R refreshes them, as the panel says).
    await page.getByText('User Metadata', { exact: true }).click();
    await page.getByText('Current Details', { exact: true }).waitFor();
    await page.keyboard.press('r');
    const details = await userMetadataShows(page, [
      `REVOKED · ${paymentSummary(request)}`,
      'Last gateway answer: revoke #1 of the schedule',
      'Operator: nothing',
    ]);
    expect(details).not.toContain(request.dynamicId); // no barcode in the details
    await screenshot(page, '5-payment-details-revoked');

    // 6. Each gateway activity carries its step on the timeline.
    await page.getByText('Timeline', { exact: true }).first().click();
    await page.getByText('revoke look').first().waitFor({ timeout: 15_000 });
    await page.getByText('revoke #1 of the schedule').first().waitFor({ timeout: 15_000 });
    await page.getByText('Hide idle time').scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 380); // the timeline's top at the top of the screenshot
    await screenshot(page, '6-activity-summaries');

    // 7. The search attribute followed the state: the REVOKED list finds it.
    const revoked = `PaymentState="REVOKED" AND ClientSn="${request.clientSn}"`;
    await page.goto(`${stack.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(revoked)}`);
    await page.getByRole('link', { name: workflowId }).waitFor({ timeout: 30_000 });

    const final = await payments.status(request);
    expect(final.revoke).toMatchObject({ operator: 'ops-wang', via: 'signal', status: 'REVOKED' });
    const order = stack.sim!.ledger().orders.find((o) => o.client_sn === request.clientSn);
    expect(order?.order_status).toBe('CANCELED');
  });
});

/** Configure Columns: the payment's search attributes instead of Run ID and Type (the browser keeps them). */
async function showPaymentColumns(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Configure Columns' }).click();
  for (const column of ['Run ID', 'Type'])
    await page.getByTestId(`orderable-list-item-${column}-remove-button`).click();
  for (const column of ['PaymentState', 'AmountFen', 'ClientSn'])
    await page.getByTestId(`orderable-list-item-${column}-add-button`).click();
  await page.getByRole('button', { name: 'Close' }).filter({ visible: true }).first().click();
  await page.getByRole('columnheader', { name: 'PaymentState' }).waitFor();
}

/**
 * The User Metadata tab renders the summary and the current details as markdown, each in its own
 * sandboxed iframe: waits until their text holds every expected piece, and returns it.
 */
async function userMetadataShows(page: Page, expected: string[], timeoutMs = 15_000): Promise<string> {
  let text = '';
  const shows = async () => {
    const frames = page.frames().filter((f) => f !== page.mainFrame());
    text = (
      await Promise.all(
        frames.map((f) =>
          f
            .locator('body')
            .innerText()
            .catch(() => ''),
        ),
      )
    ).join('\n');
    return expected.every((piece) => text.includes(piece));
  };
  await waitUntil(shows, timeoutMs).catch(() => {
    throw new Error(`User Metadata shows:\n${text}\nexpected: ${expected.join(' | ')}`);
  });
  return text;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
