import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { HISTORY_PATHS, RECORDING_TERMINAL } from '../../scripts/histories/paths';
import { decodedPayloads, loadCorpus } from '../helpers/history-corpus';

const corpus = loadCorpus();

/** Every committed history must replay with the current workflow code: a deploy never stalls a payment. */
describe('history corpus', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
  });

  it('holds one history per saga path, and a Web UI download', () => {
    const names = corpus.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(HISTORY_PATHS.map((p) => `${p.name}.json`)));
    expect(names).toContain('ui-download/happy.json');
  });

  // legacy/<patch-id>/ holds histories recorded before that patch: the old path, kept until the
  // patch is deprecated. The same path recorded now must carry the patch marker.
  const legacy = corpus.filter((f) => f.name.startsWith('legacy/'));
  if (legacy.length > 0) {
    it.each(legacy.map((f) => [f.name, f] as const))(
      "%s is the pre-patch path; today's recording is patched",
      (name, file) => {
        const [, patchId, ...rest] = name.split('/');
        const current = corpus.find((f) => f.name === rest.join('/'));
        expect(current).toBeDefined();
        expect(patchMarkers(file.history)).not.toContain(patchId);
        expect(patchMarkers(current!.history)).toContain(patchId);
      },
    );
  }

  // A deprecated patch keeps its deprecatePatch() call while histories recorded with its marker can
  // still be open; these are the recordings that show why (README "Evolving the saga", step 3).
  it.each([
    ['query-before-revoke', 'revoke-by-signal.json'],
    ['verify-resolution-at-close', 'needs-attention-then-resolved.json'],
  ])("%s: today's recording carries the (now deprecated) patch marker", (patchId, name) => {
    const current = corpus.find((f) => f.name === name);
    expect(patchMarkers(current!.history)).toContain(patchId);
  });

  // Issue 15's paths carry the markers of the patches they took (R8: the unpatched branch is every older history).
  it.each([
    ['cancel-request-compensates', 'cancel-before-outcome-compensated.json'],
    ['cancel-request-compensates', 'cancel-while-paying-compensated.json'],
    ['cancel-request-compensates', 'cancel-before-pay-not-sent.json'],
    ['cancel-request-compensates', 'cancel-on-paid-ignored.json'],
    ['recheck', 'recheck-while-confirming-paid.json'],
    ['recheck', 'recheck-on-paid-agrees.json'],
    ['reset-run-sends-no-pay', 'reset-run-queries-not-pays.json'],
    ['pay-doubt-from-send', 'pay-doubt-from-its-answer.json'],
    ['revoke-held-back-refused', 'revoke-held-back-refused.json'],
  ])('%s: %s carries the patch marker', (patchId, name) => {
    const current = corpus.find((f) => f.name === name);
    expect(patchMarkers(current!.history)).toContain(patchId);
  });

  it.each(corpus.map((f) => [f.name, f] as const))('replays %s', async (name, file) => {
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'corpus' }, file.history, name),
    ).resolves.toBeUndefined();
  });

  it('replays the whole corpus in one bulk run, as a deploy check would', async () => {
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle, replayName: 'corpus-bulk' },
      corpus.map((f) => ({ workflowId: f.name, history: f.history })),
    )) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toHaveLength(corpus.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  it.each(corpus.map((f) => [f.name, f] as const))('%s holds no terminal key, signature or header', (_, file) => {
    const texts = [JSON.stringify(file.history), ...decodedPayloads(file.history)];
    expect(texts.join('')).toContain(RECORDING_TERMINAL.terminalSn); // the scan reads the decoded payloads
    for (const text of texts) {
      expect(text).not.toContain(RECORDING_TERMINAL.terminalKey);
      expect(text).not.toMatch(/authorization/i);
      expect(text).not.toMatch(/"sign"/);
    }
    // An upay signature is 32 lowercase hex digits (MD5); nothing the saga records looks like one.
    for (const payload of decodedPayloads(file.history)) expect(payload).not.toMatch(/\b[0-9a-f]{32}\b/);
  });
});

/** Ids of the `patched()` markers in a history. */
function patchMarkers(history: { events: unknown[] }): string[] {
  return history.events
    .filter((e) => (e as { eventType?: string }).eventType === 'EVENT_TYPE_MARKER_RECORDED')
    .flatMap((e) => decodedPayloads(e).map((text) => (JSON.parse(text) as { id?: string }).id ?? ''));
}

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
