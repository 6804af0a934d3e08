/**
 * `npm run reconcile -- [--ledger URL|bill.csv|ledger.json] [--query 'visibility query']
 * [--refund-query 'visibility query']`: compares every payment's state with the gateway's ledger,
 * counting the payment's refunds (its `refundSaga` workflows, found by visibility query and matched by
 * terminal and ClientSn: kept = paid − refunded), and lists 长款, 短款 and amount mismatches.
 * Exit 0 when there are none, 1 otherwise. Defaults: the simulator of `npm start`, all payments, and the
 * refunds of the payments listed (by their ClientSn and Sn).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../../codec/encryption-codec';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { statusQuery } from '../../workflows/definitions';
import { refundStatusQuery } from '../../workflows/refund-definitions';
import type { RefundStatus } from '../../workflows/refund-types';
import type { PaymentStatus } from '../../workflows/types';
import { ordersFromCsv, ordersFromLedger, reconcile, type GatewayOrder } from './reconcile';

async function loadOrders(source: string): Promise<GatewayOrder[]> {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`ledger ${source} answered ${res.status}`);
    return ordersFromLedger((await res.json()) as Parameters<typeof ordersFromLedger>[0]);
  }
  const text = readFileSync(source, 'utf8');
  return source.endsWith('.csv') ? ordersFromCsv(text) : ordersFromLedger(JSON.parse(text) as never);
}

async function loadPayments(client: Client, query: string): Promise<{ payments: PaymentStatus[]; skipped: string[] }> {
  const payments: PaymentStatus[] = [];
  const skipped: string[] = [];
  for await (const wf of client.workflow.list({ query })) {
    try {
      payments.push(await client.workflow.getHandle(wf.workflowId, wf.runId).query(statusQuery));
    } catch {
      skipped.push(wf.workflowId); // e.g. rejected as invalid before anything reached the gateway
    }
  }
  return { payments, skipped };
}

/** Every refund workflow the query lists, by its status query (the refunds' side of the books). */
async function loadRefunds(client: Client, query: string): Promise<{ refunds: RefundStatus[]; skipped: string[] }> {
  const refunds: RefundStatus[] = [];
  const skipped: string[] = [];
  for await (const wf of client.workflow.list({ query })) {
    if (wf.status.name === 'FAILED') {
      skipped.push(wf.workflowId); // failed admission (InvalidRefundRequest): nothing was sent
      continue;
    }
    try {
      refunds.push(await client.workflow.getHandle(wf.workflowId, wf.runId).query(refundStatusQuery));
    } catch {
      skipped.push(wf.workflowId);
    }
  }
  return { refunds, skipped };
}

/**
 * The refunds of these payments: a refund names its order by client_sn or sn (search attributes ClientSn,
 * Sn), so only refunds of the listed payments are read. Reading every refund in the namespace would query
 * workflows of other task queues too, and a query waits for a worker of its workflow's task queue.
 */
function refundQueriesFor(payments: PaymentStatus[]): string[] {
  const quoted = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const queries: string[] = [];
  for (let i = 0; i < payments.length; i += 100) {
    const batch = payments.slice(i, i + 100);
    const clientSns = batch.map((p) => quoted(p.clientSn)).join(', ');
    const sns = batch.flatMap((p) => (p.sn ? [quoted(p.sn)] : []));
    const bySn = sns.length > 0 ? ` OR Sn IN (${sns.join(', ')})` : '';
    queries.push(`WorkflowType="refundSaga" AND (ClientSn IN (${clientSns})${bySn})`);
  }
  return queries;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ledger: { type: 'string' }, query: { type: 'string' }, 'refund-query': { type: 'string' } },
  });
  const ledger = values.ledger ?? `http://127.0.0.1:${process.env.SIMULATOR_PORT ?? 8765}/_sim/ledger`;
  const query = values.query ?? 'WorkflowType="paymentSaga"';
  const refundQuery = values['refund-query'];
  const orders = await loadOrders(ledger);
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  try {
    const client = new Client({ connection, namespace: namespace ?? 'default', dataConverter: dataConverterFromEnv() });
    const { payments, skipped } = await loadPayments(client, query);
    const refunds: RefundStatus[] = [];
    const refundsSkipped: string[] = [];
    for (const q of refundQuery !== undefined ? [refundQuery] : refundQueriesFor(payments)) {
      const found = await loadRefunds(client, q);
      refunds.push(...found.refunds);
      refundsSkipped.push(...found.skipped);
    }
    const result = reconcile(payments, orders, refunds);
    for (const d of result.discrepancies) {
      const gatewayRefunded = d.gatewayRefundedFen !== undefined ? ` (gateway ${d.gatewayRefundedFen})` : '';
      console.log(
        `${d.kind}\t${d.terminalSn}/${d.clientSn}\tsaga ${d.state}\tgateway ${d.gatewayStatus}\tamount ${d.amountFen}` +
          `\trefunded ${d.refundedFen}${gatewayRefunded}\tkept ${d.keptFen}`,
      );
    }
    for (const o of result.open) {
      const why = o.refundsOpen ? ` (${o.refundsOpen} refund${o.refundsOpen > 1 ? 's' : ''} not concluded)` : '';
      console.log(`open\t${o.terminalSn}/${o.clientSn}\t${o.state}${why}`);
    }
    console.log(
      `${payments.length} payments, ${refunds.length} refunds (${refundsSkipped.length} without status), ` +
        `${orders.length} gateway orders: ${result.matched} matched, ` +
        `${result.open.length} open, ${skipped.length} without status, ${result.discrepancies.length} discrepancies`,
    );
    process.exitCode = result.discrepancies.length > 0 ? 1 : 0;
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`npm run reconcile: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
