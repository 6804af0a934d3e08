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

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
