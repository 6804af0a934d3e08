import { PassThrough } from 'node:stream';
import { runDemo } from '../../scripts/demo/run-demo';
import { DEMO_STEPS } from '../../scripts/demo/script';
import { TERMINAL_SN, expectConsistent, ledgerOrder, useSagaStack } from '../helpers/saga-stack';

/** `npm run demo` end to end: the scripted payments against the real worker, server and simulator. */
describe('npm run demo', () => {
  const stack = useSagaStack();

  it('drives every scripted path to its expected state and prints a Web UI link per payment', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const { ok, payments } = await runDemo({
      payments: stack.payments,
      terminalSn: TERMINAL_SN,
      uiUrl: 'http://localhost:8233',
      out,
    });
    expect(payments.map((p) => [p.step.title, p.error, p.status?.state])).toEqual(
      DEMO_STEPS.map((s) => [s.title, undefined, s.expected]),
    );
    expect(ok).toBe(true);
    // The live view showed the escalation before the operator resolved it.
    expect(printed).toContain('needs attention → resolved: NEEDS_ATTENTION');
    for (const p of payments) {
      expect(printed).toContain(`http://localhost:8233/namespaces/default/workflows/${p.workflowId}`);
      await expectConsistent(stack, p.status!);
    }
    const revoked = payments.find((p) => p.step.expected === 'REVOKED')!;
    expect(ledgerOrder(stack.sim, revoked.request.clientSn)?.order_status).toBe('CANCELED');
  });
});
