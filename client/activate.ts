import { createGatewayDispatcher } from '../activities/gateway/http';
import { activateTerminal } from '../activities/gateway/terminal-calls';
import type { TerminalKeyStore } from '../activities/keys/key-store';
import type { FieldProblem } from '../workflows/validation';
import { InvalidRequestError } from './errors';

export interface ActivateRequest {
  apiDomain: string;
  vendorSn: string;
  vendorKey: string;
  appId: string;
  code: string;
  deviceId: string;
  name?: string;
}

/** The activation did not give us a terminal. `spent` says whether the code may be used up anyway. */
export class ActivationFailedError extends Error {
  constructor(
    readonly reason: string,
    readonly spent: boolean,
  ) {
    super(
      spent
        ? `activation got no readable answer (${reason}): the code may already be used; ask for a new one if a retry is refused`
        : `activation refused: ${reason}`,
    );
    this.name = 'ActivationFailedError';
  }
}

const PRINTABLE = (max: number) => new RegExp(`^[\\x21-\\x7E]{1,${max}}$`);

/** An http(s) URL with a host: what `new URL(…).origin` in activate() can use. */
function isHttpOrigin(value: string | undefined): boolean {
  if (!value || !/^https?:\/\//.test(value)) return false;
  try {
    return new URL(value).host !== '';
  } catch {
    return false;
  }
}

/** Every problem at once, named by field, before anything is sent. Never echoes the vendor key. */
export function validateActivateRequest(r: Partial<ActivateRequest>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const need = (field: keyof ActivateRequest, ok: boolean, problem: string) => {
    if (!ok) problems.push({ field, problem });
  };
  need('apiDomain', isHttpOrigin(r.apiDomain), 'must be an http(s) origin (SQB_API_DOMAIN)');
  need('vendorSn', !!r.vendorSn && PRINTABLE(64).test(r.vendorSn), 'is required (SQB_VENDOR_SN)');
  need(
    'vendorKey',
    !!r.vendorKey && r.vendorKey.length >= 8 && !/\s/.test(r.vendorKey),
    'is required (SQB_VENDOR_KEY): at least 8 characters, no whitespace',
  );
  need('appId', !!r.appId && PRINTABLE(64).test(r.appId), 'is required (--app-id or SQB_APP_ID)');
  need('code', !!r.code && PRINTABLE(64).test(r.code), 'is required: the activation code');
  need('deviceId', !!r.deviceId && PRINTABLE(128).test(r.deviceId), 'must be 1-128 printable ASCII characters');
  if (r.name !== undefined) {
    // Characters, not UTF-16 units, as the gateway counts them (reference §4.1 name string(128)).
    const chars = [...r.name].length;
    need('name', chars >= 1 && chars <= 128, 'must be 1-128 characters');
  }
  return problems;
}

/**
 * Trades an activation code for a terminal (reference §4.1) and stores its key. A direct gateway
 * call, not a workflow: the vendor key stays in this process, and a code is single-use, so a lost
 * answer is reported as such rather than retried.
 */
export async function activate(request: ActivateRequest, keyStore: TerminalKeyStore): Promise<{ terminalSn: string }> {
  const problems = validateActivateRequest(request);
  if (problems.length > 0) throw new InvalidRequestError(problems);
  // Read the store first: a code traded for a key that cannot be stored is lost (single-use, §4.1).
  await keyStore.terminalSns();
  const origin = new URL(request.apiDomain).origin;
  const dispatcher = createGatewayDispatcher(origin);
  try {
    const result = await activateTerminal(
      { dispatcher, origin },
      {
        app_id: request.appId,
        code: request.code,
        device_id: request.deviceId,
        ...(request.name ? { name: request.name } : {}),
      },
      { vendorSn: request.vendorSn, vendorKey: request.vendorKey },
    );
    if (!result.ok) throw new ActivationFailedError(result.reason, !result.answered);
    await keyStore.put({
      terminalSn: result.terminalSn,
      deviceId: request.deviceId,
      currentKey: result.terminalKey,
      keyReceivedAt: new Date().toISOString(),
    });
    return { terminalSn: result.terminalSn };
  } finally {
    await dispatcher.close();
  }
}
