/**
 * `npm run demo`: against the running `npm start` stack, a scripted set of payments — happy, in
 * progress → paid, unknown → canceled, paid → revoked by signal, needs attention → resolved — with
 * a live view, then a table with a Web UI link per payment. Exit code 1 if any ended unexpectedly.
 */
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../../codec/encryption-codec';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { PaymentsClient } from '../../client/payments-client';
import { DEMO_TERMINAL } from '../../simulator';
import { TASK_QUEUE } from '../../workflows/types';
import { runDemo } from './run-demo';

async function main(): Promise<void> {
  const simulatorUrl = process.env.SIMULATOR_URL ?? `http://127.0.0.1:${process.env.SIMULATOR_PORT ?? 8765}`;
  // The script picks gateway behaviour with simulator barcodes: never run it against a real gateway.
  const probe = await fetch(`${simulatorUrl}/_sim/ledger`).catch(() => undefined);
  if (!probe?.ok) {
    throw new Error(
      `no gateway simulator at ${simulatorUrl}: start the stack with \`npm start\` first (or set SIMULATOR_URL)`,
    );
  }
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  try {
    const payments = new PaymentsClient(
      new Client({ connection, namespace: namespace ?? 'default', dataConverter: dataConverterFromEnv() }),
      process.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
    );
    const uiUrl = process.env.TEMPORAL_UI_URL ?? `http://localhost:${process.env.TEMPORAL_UI_PORT ?? 8233}`;
    const { ok } = await runDemo({
      payments,
      terminalSn: process.env.SQB_TERMINAL_SN ?? DEMO_TERMINAL.terminalSn,
      uiUrl,
      out: process.stdout,
    });
    process.exitCode = ok ? 0 : 1;
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`npm run demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
