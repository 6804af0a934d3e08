import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { PaymentsClient } from '../../client/payments-client';
import { startEmbeddedStack, type EmbeddedStack } from '../../scripts/stack/embedded-stack';
import { freePort } from '../../scripts/stack/ports';
import { paymentWorkflowId } from '../../workflows/types';
import { launchChromium, screenshot } from '../helpers/browser';
import { TERMINAL_KEY, TERMINAL_SN, newPayment } from '../helpers/saga-stack';

jest.setTimeout(180_000);

/**
 * The operator's desk, for real: the dev server's own Web UI in headless Chromium. Find the payment
 * by its search attributes, send `revoke` through "Send a Signal", read `status` on the Queries tab.
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

    // 1. The list, filtered the way the runbook's saved query does.
    const query = `PaymentState="PAID" AND ClientSn="${request.clientSn}"`;
    await page.goto(`${stack.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const row = page.getByRole('link', { name: workflowId });
    await row.waitFor({ timeout: 30_000 });
    await screenshot(page, '1-find-payment');

    // 2. The payment, then More Actions → Send a Signal.
    await row.click();
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

    // 3. The Queries tab shows the status query's answer.
    await waitUntil(async () => (await payments.status(request)).state === 'REVOKED');
    await page.getByText('Queries', { exact: true }).click();
    await page.getByRole('button', { name: 'Run Query' }).click();
    await page.getByText('"REVOKED"').first().waitFor({ timeout: 30_000 });
    await screenshot(page, '3-status-query-revoked');

    // 4. The search attribute followed the state: the REVOKED list finds it.
    const revoked = `PaymentState="REVOKED" AND ClientSn="${request.clientSn}"`;
    await page.goto(`${stack.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(revoked)}`);
    await page.getByRole('link', { name: workflowId }).waitFor({ timeout: 30_000 });

    const final = await payments.status(request);
    expect(final.revoke).toMatchObject({ operator: 'ops-wang', via: 'signal', status: 'REVOKED' });
    const order = stack.sim!.ledger().orders.find((o) => o.client_sn === request.clientSn);
    expect(order?.order_status).toBe('CANCELED');
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
