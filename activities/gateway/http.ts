import { Pool, request, type Dispatcher } from 'undici';
import { CallGuard } from './call-guard';
import type { CallLimits } from './call-limits';
import type { RawExchange } from './classify';
import { authorizationHeader } from './signing';
import { CONNECT_TIMEOUT_MS, type CallDeadline } from './timeouts';

/** A connection pool for one gateway origin. Tests pass their own dispatcher instead. */
export function createGatewayDispatcher(origin: string): Dispatcher {
  return new Pool(origin, { connect: { timeout: CONNECT_TIMEOUT_MS }, connections: 32 });
}

export interface SignedPost {
  dispatcher: Dispatcher;
  url: string;
  body: object;
  /** Terminal (or vendor) sn and key used for the signature. The key goes nowhere else. */
  signer: { sn: string; key: string };
  /** The call's one deadline, from now: queued in the pool, connect, send and read. */
  deadline: CallDeadline;
  /** The caller's abort signal and send deadline (call-limits.ts). */
  limits?: CallLimits;
}

/** undici error code, errno code, or the error's name: never its message (it may quote a URL). */
function transportCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code) return code;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' && name ? name : 'UNKNOWN_TRANSPORT_ERROR';
}

/** The exchange of a call that failed: held back and never sent, or lost on its way (abort or network). */
function failedExchange(guard: CallGuard, err: unknown): RawExchange {
  const aborted = guard.reason;
  if (aborted && !guard.sent) return { kind: 'not_sent', code: aborted.code, why: aborted.message };
  return { kind: 'transport', code: aborted?.code ?? transportCode(err) };
}

/**
 * One signed POST. Serializes once, signs those exact bytes and sends those exact bytes. Never
 * retries (Temporal owns retries) and never throws for network trouble: that is an exchange too. A
 * request the guard held back (deadline, send deadline, the caller's abort before it left) is
 * `not_sent`: it never reached the socket, so the gateway cannot have it.
 */
export async function postSigned({
  dispatcher,
  url,
  body,
  signer,
  deadline,
  limits,
}: SignedPost): Promise<RawExchange> {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  const guard = new CallGuard(deadline.totalMs, limits);
  try {
    // Already past a deadline, or the activity already cancelled: the request never leaves.
    if (guard.holdBack()) return failedExchange(guard, undefined);
    const response = await guard.race(
      request(url, {
        dispatcher: guard.watch(dispatcher),
        method: 'POST',
        body: bytes,
        headers: {
          'content-type': 'application/json',
          authorization: authorizationHeader(signer.sn, bytes, signer.key),
        },
        signal: guard.signal,
        // The guard's deadline ends the call; undici's own timers (300 s by default) must not come first.
        headersTimeout: deadline.totalMs,
        bodyTimeout: deadline.totalMs,
      }),
    );
    const text = await guard.race(response.body.text());
    return { kind: 'http', status: response.statusCode, body: text };
  } catch (err) {
    return failedExchange(guard, err);
  } finally {
    guard.dispose();
  }
}
