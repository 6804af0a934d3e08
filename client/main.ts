/**
 * `npm run client -- <command> [flags]`: pay, status, abort, revoke, recheck, resolve, activate, checkin. Prints one JSON object.
 * Exit codes: 0 ok (pay: PAID; abort: nothing taken), 2 invalid input, 3 not paid / refused, 4 outcome not known yet or
 * NEEDS_ATTENTION, 1 anything else (e.g. Temporal unreachable).
 */
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/encryption-codec';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import {
  FLAG_OF_FIELD,
  parse,
  payRequestOf,
  recheckRequestOf,
  refundRequestOf,
  refundResolveRequestOf,
  resolveRequestOf,
  revokeRequestOf,
  type CliValues,
} from './cli-args';
import { InvalidRequestError, PaymentConflictError, RevokeRejectedError } from './errors';
import { PaymentsClient, type PaymentRef } from './payments-client';
import { RefundConflictError, RefundResolveRejectedError, RefundsClient, type RefundRef } from './refunds-client';
import { refundWorkflowId, type RefundStatus } from '../workflows/refund-types';
import { validateRefundRequest } from '../workflows/refund-validation';
import { ActivationFailedError, activate, type ActivateRequest } from './activate';
import { FileKeyStore } from '../activities/keys/file-key-store';
import { startCheckinNow } from '../worker/checkin-schedules';
import { TASK_QUEUE, paymentWorkflowId, type PaymentStatus } from '../workflows/types';

const USAGE = `usage: npm run client -- <command> [flags]
  pay     --client-sn C --amount FEN --dynamic-id BARCODE --subject S --operator O
          [--terminal-sn T] [--description D] [--reflect R] [--payway N] [--wait-ms MS] [--timing JSON]
  status  --client-sn C [--terminal-sn T]
  abort   --client-sn C [--terminal-sn T] [--wait-ms MS]
          the customer walked away: Temporal cancellation = "do not take this money"; prints what the money did
          (exit 0: nothing taken; 3: PAID, use revoke; 4: outcome not known yet or NEEDS_ATTENTION)
  recheck --client-sn C --operator O [--note N] [--terminal-sn T] [--signal]
          the customer says the money moved: the saga queries the gateway now and acts on the answer
  revoke  --client-sn C --operator O --reason R [--terminal-sn T] [--signal]
  resolve --client-sn C --operator O --note N [--terminal-sn T]
          --resolution PAID|FAILED|CANCELED|REVOKED|REFUNDED|PARTIAL_REFUNDED|SETTLED_OUTSIDE
          [--reference REF]   (required with SETTLED_OUTSIDE: ticket or transfer reference)
          [--refund-no R --amount FEN]   with PAID: money kept, give it back (the payment starts that refund)
  activate --code CODE --device-id D [--app-id A] [--name N]
          gateway call signed with SQB_VENDOR_SN/SQB_VENDOR_KEY; stores the terminal in SQB_KEY_STORE_FILE
  checkin [--terminal-sn T]   check the terminal in now (through the worker) and wait for the result
  refund  --client-sn C (or --sn SN) --refund-no R --amount FEN --operator O [--reason R] [--terminal-sn T]
          [--wait-ms MS] [--timing JSON]   one refund (退款); the same --refund-no again attaches to it
          (exit 0: REFUNDED; 3: REFUSED or NOT_REFUNDED; 4: not known yet or NEEDS_ATTENTION)
  refund-status  --client-sn C (or --sn SN) --refund-no R [--terminal-sn T]
  refund-resolve --client-sn C (or --sn SN) --refund-no R --operator O --note N [--terminal-sn T]
          --resolution REFUNDED|NOT_REFUNDED|SETTLED_OUTSIDE [--reference REF]
--terminal-sn defaults to SQB_TERMINAL_SN. Temporal: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (or a profile).`;

const EXIT = { ok: 0, failed: 1, invalid: 2, notPaid: 3, unknown: 4 } as const;

function print(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
}

function exitForState(status: PaymentStatus, outcomeKnown = true): number {
  if (!outcomeKnown || status.state === 'NEEDS_ATTENTION') return EXIT.unknown;
  return status.state === 'PAID' ? EXIT.ok : EXIT.notPaid;
}

function refOf(v: CliValues): PaymentRef {
  const terminalSn = v['terminal-sn'] ?? process.env.SQB_TERMINAL_SN;
  const problems = [];
  if (!terminalSn) problems.push({ field: 'terminalSn', problem: 'is required (or set SQB_TERMINAL_SN)' });
  if (!v['client-sn']) problems.push({ field: 'clientSn', problem: 'is required' });
  if (problems.length > 0) throw new InvalidRequestError(problems);
  return { terminalSn: terminalSn as string, clientSn: v['client-sn'] as string };
}

function exitForRefund(status: RefundStatus, outcomeKnown: boolean): number {
  if (!outcomeKnown || status.state === 'NEEDS_ATTENTION') return EXIT.unknown;
  return status.state === 'REFUNDED' || status.state === 'SETTLED_OUTSIDE' ? EXIT.ok : EXIT.notPaid;
}

/** A refund's reference, checked as the refund request checks it (terminal digits, refund number, order). */
function refundRefOf(v: CliValues): RefundRef {
  const ref = {
    terminalSn: v['terminal-sn'] ?? process.env.SQB_TERMINAL_SN,
    ...(v['client-sn'] !== undefined ? { clientSn: v['client-sn'] } : {}),
    ...(v.sn !== undefined ? { sn: v.sn } : {}),
    refundRequestNo: v['refund-no'],
  };
  const fields = ['terminalSn', 'clientSn', 'sn', 'refundRequestNo'];
  const problems = validateRefundRequest({ ...ref, amountFen: 1, operator: '-' }).filter((p) =>
    fields.includes(p.field),
  );
  if (problems.length > 0) throw new InvalidRequestError(problems);
  return ref as RefundRef;
}

function terminalOf(v: CliValues): string {
  const terminalSn = v['terminal-sn'] ?? process.env.SQB_TERMINAL_SN;
  if (!terminalSn)
    throw new InvalidRequestError([{ field: 'terminalSn', problem: 'is required (or set SQB_TERMINAL_SN)' }]);
  return terminalSn;
}

function activateRequestOf(v: CliValues): { request: ActivateRequest; keyStoreFile: string } {
  const env = process.env;
  const keyStoreFile = env.SQB_KEY_STORE_FILE;
  if (!keyStoreFile) throw new InvalidRequestError([{ field: 'keyStore', problem: 'needs SQB_KEY_STORE_FILE' }]);
  const request = {
    apiDomain: env.SQB_API_DOMAIN ?? '',
    vendorSn: env.SQB_VENDOR_SN ?? '',
    vendorKey: env.SQB_VENDOR_KEY ?? '',
    appId: v['app-id'] ?? env.SQB_APP_ID ?? '',
    code: v.code ?? '',
    deviceId: v['device-id'] ?? '',
    ...(v.name !== undefined ? { name: v.name } : {}),
  };
  return { request, keyStoreFile };
}

/** A connection to Temporal for one command, and the clients on it. */
interface Session {
  client: Client;
  payments: PaymentsClient;
  refunds: RefundsClient;
}

async function connect(): Promise<Session & { close: () => Promise<void> }> {
  const dataConverter = dataConverterFromEnv(); // PAYLOAD_ENCRYPTION_* checked before connecting
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  const client = new Client({ connection, namespace: namespace ?? 'default', dataConverter });
  return {
    client,
    payments: new PaymentsClient(client, taskQueue()),
    refunds: new RefundsClient(client, taskQueue()),
    close: () => connection.close(),
  };
}

const taskQueue = () => process.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE;

/** --wait-ms as the clients take it: absent, or a number. */
function waitOf(v: CliValues): { waitMs?: number } {
  return v['wait-ms'] !== undefined ? { waitMs: Number(v['wait-ms']) } : {};
}

/** What pay and refund print: the outcome when known, the state and the whole status. */
function printOutcome<S extends { state: string }>(r: { workflowId: string; outcomeKnown: boolean; status: S }): void {
  const { workflowId, outcomeKnown, status } = r;
  print({ workflowId, outcomeKnown, outcome: outcomeKnown ? status.state : undefined, state: status.state, status });
}

/** What status, refund-status and refund-resolve print. */
function printStatus(workflowId: string, status: { state: string }): number {
  print({ workflowId, state: status.state, status });
  return EXIT.ok;
}

/** What a command sent as a signal (as the Web UI does) prints. */
function printSent(workflowId: string, signal: string): number {
  print({ workflowId, signal, sent: true });
  return EXIT.ok;
}

const paymentIdOf = (ref: PaymentRef) => paymentWorkflowId(ref.terminalSn, ref.clientSn);

/**
 * One CLI command: `input` reads and checks its flags before anything connects, so bad input never waits
 * on a server (InvalidRequestError: exit 2); `run` does it, prints one JSON object and answers the exit
 * code. `local` commands run without Temporal.
 */
type Command<I> =
  | { input: (v: CliValues) => I; run: (input: I, session: Session, v: CliValues) => Promise<number>; local?: false }
  | { input: (v: CliValues) => I; run: (input: I) => Promise<number>; local: true };

/** Erases a command's input type for the table (each entry is checked where it is written). */
const command = <I>(c: Command<I>) => c as Command<unknown>;

const COMMANDS: Record<string, Command<unknown>> = {
  pay: command({
    input: (v) => payRequestOf(v, process.env.SQB_TERMINAL_SN),
    run: async (request, { payments }, v) => {
      const result = await payments.pay(request, waitOf(v));
      printOutcome(result);
      return exitForState(result.status, result.outcomeKnown);
    },
  }),
  status: command({
    input: refOf,
    run: async (ref, { payments }) => printStatus(paymentIdOf(ref), await payments.status(ref)),
  }),
  abort: command({
    input: refOf,
    run: async (ref, { payments }, v) => {
      const result = await payments.abort(ref, waitOf(v));
      print(result);
      if (!result.settled || result.state === 'NEEDS_ATTENTION') return EXIT.unknown;
      return ['FAILED', 'CANCELED', 'REVOKED'].includes(result.state) ? EXIT.ok : EXIT.notPaid;
    },
  }),
  recheck: command({
    input: (v) => ({ ref: refOf(v), request: recheckRequestOf(v) }),
    run: async ({ ref, request }, { payments }, v) => {
      const workflowId = paymentIdOf(ref);
      if (v.signal) {
        await payments.recheckBySignal(ref, request);
        return printSent(workflowId, 'recheck');
      }
      const recheck = await payments.recheck(ref, request);
      print({ workflowId, state: (await payments.status(ref)).state, recheck });
      return EXIT.ok;
    },
  }),
  revoke: command({
    input: (v) => ({ ref: refOf(v), request: revokeRequestOf(v) }),
    run: async ({ ref, request }, { payments }, v) => {
      const workflowId = paymentIdOf(ref);
      if (v.signal) {
        await payments.revokeBySignal(ref, request);
        return printSent(workflowId, 'revoke');
      }
      const result = await payments.revoke(ref, request);
      print({ workflowId, ...result });
      if (result.revoke.status === 'REVOKED') return EXIT.ok;
      const waiting = result.revoke.status === 'NEEDS_ATTENTION' || result.revoke.status === 'PENDING';
      return waiting ? EXIT.unknown : EXIT.notPaid;
    },
  }),
  resolve: command({
    input: (v) => ({ ref: refOf(v), request: resolveRequestOf(v) }),
    run: async ({ ref, request }, { payments }) => {
      await payments.resolve(ref, request);
      return printSent(paymentIdOf(ref), 'resolve');
    },
  }),
  activate: command({
    input: activateRequestOf,
    // A gateway call from this process: no Temporal involved, the vendor key goes nowhere else.
    local: true,
    run: async ({ request, keyStoreFile }) => {
      const { terminalSn } = await activate(request, new FileKeyStore(keyStoreFile));
      print({ terminal_sn: terminalSn, device_id: request.deviceId, key_store: keyStoreFile, activated: true });
      return EXIT.ok;
    },
  }),
  checkin: command({
    input: terminalOf,
    run: async (terminalSn, { client }) => {
      const handle = await startCheckinNow(client, terminalSn, { taskQueue: taskQueue() });
      print({ workflowId: handle.workflowId, ...(await handle.result()) });
      return EXIT.ok;
    },
  }),
  refund: command({
    input: (v) => refundRequestOf(v, process.env.SQB_TERMINAL_SN),
    run: async (request, { refunds }, v) => {
      const result = await refunds.refund(request, waitOf(v));
      printOutcome(result);
      return exitForRefund(result.status, result.outcomeKnown);
    },
  }),
  'refund-status': command({
    input: refundRefOf,
    run: async (ref, { refunds }) => printStatus(refundWorkflowId(ref), await refunds.status(ref)),
  }),
  'refund-resolve': command({
    input: (v) => ({ ref: refundRefOf(v), request: refundResolveRequestOf(v) }),
    run: async ({ ref, request }, { refunds }) =>
      printStatus(refundWorkflowId(ref), await refunds.resolve(ref, request)),
  }),
};

async function run(name: string | undefined, v: CliValues): Promise<number> {
  if (v.help || !name) {
    console.log(USAGE);
    return v.help ? EXIT.ok : EXIT.invalid;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd)
    throw new InvalidRequestError([
      { field: '(command)', problem: `must be one of ${Object.keys(COMMANDS).join(', ')}` },
    ]);
  const input = cmd.input(v);
  if (cmd.local) return cmd.run(input);
  const session = await connect();
  try {
    return await cmd.run(input, session, v);
  } finally {
    await session.close();
  }
}

function describeError(err: unknown): { error: string; exit: number } {
  if (err instanceof InvalidRequestError) {
    const named = err.problems.map(
      (p) => `${p.field}${FLAG_OF_FIELD[p.field] ? ` (${FLAG_OF_FIELD[p.field]})` : ''} ${p.problem}`,
    );
    return { error: `invalid request: ${named.join('; ')}`, exit: EXIT.invalid };
  }
  if (err instanceof RevokeRejectedError) return { error: err.message, exit: EXIT.notPaid };
  if (err instanceof ActivationFailedError)
    return { error: err.message, exit: err.spent ? EXIT.unknown : EXIT.notPaid };
  if (err instanceof WorkflowFailedError)
    return { error: `${err.message}: ${err.cause?.message ?? ''}`, exit: EXIT.notPaid };
  if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'))
    return { error: `${(err as Error).message}\n${USAGE}`, exit: EXIT.invalid };
  if (err instanceof PaymentConflictError) return { error: err.message, exit: EXIT.invalid };
  if (err instanceof RefundConflictError) return { error: err.message, exit: EXIT.invalid };
  if (err instanceof RefundResolveRejectedError) return { error: err.message, exit: EXIT.notPaid };
  return { error: err instanceof Error ? err.message : String(err), exit: EXIT.failed };
}

async function main(): Promise<void> {
  let exit: number;
  try {
    const { positionals, values } = parse(process.argv.slice(2));
    exit = await run(positionals[0], values);
  } catch (err) {
    const { error, exit: code } = describeError(err);
    print({ error });
    exit = code;
  }
  process.exit(exit);
}

void main();
