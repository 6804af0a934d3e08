/**
 * Temporal connection settings through @temporalio/envconfig (TOML profile plus TEMPORAL_* variables),
 * loaded exactly as worker/main.ts, client/main.ts and scripts/demo/main.ts do: `loadClientConnectConfig()`
 * with no options, so from process.env and the default file locations. Covers the local, mTLS and API
 * key setups of docs/production.md and the library's sharp edges that guide warns about.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

const dir = mkdtempSync(path.join(tmpdir(), 'envconfig-'));
const CERT = '-----BEGIN CERTIFICATE-----\nclient certificate\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nclient key\n-----END PRIVATE KEY-----\n';
const certPath = path.join(dir, 'client.pem');
const keyPath = path.join(dir, 'client.key');
writeFileSync(certPath, CERT);
writeFileSync(keyPath, KEY);

/** The three setups of docs/production.md, as one TOML file. */
const PROFILES = `
[profile.default]
address = "127.0.0.1:7233"
namespace = "default"

[profile.mtls]
address = "payments.abc12.tmprl.cloud:7233"
namespace = "payments.abc12"

[profile.mtls.tls]
client_cert_path = "${certPath}"
client_key_path = "${keyPath}"

[profile.cloud]
address = "ap-northeast-1.aws.api.temporal.io:7233"
namespace = "payments.abc12"
api_key = "cloud-api-key"

[profile.cloud.grpc_meta]
x-merchant = "shop-1"
`;

function writeToml(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const profilesFile = writeToml('temporal.toml', PROFILES);
const testServerAddress = process.env.TEMPORAL_TEST_ADDRESS;

/**
 * Runs `fn` with only the given TEMPORAL_* variables set and HOME pointing at an empty folder, so
 * nothing from the machine (a developer's ~/.config/temporalio/temporal.toml) leaks in.
 */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('TEMPORAL_') || name === 'XDG_CONFIG_HOME') delete process.env[name];
  }
  process.env.HOME = path.join(dir, 'empty-home');
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

/** What worker/main.ts does. */
const load = () => loadClientConnectConfig();
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

describe('Temporal connection through @temporalio/envconfig, as worker/main.ts loads it', () => {
  it('uses the SDK defaults with no file and no variables (localhost:7233; the worker picks namespace default)', () => {
    expect(withEnv({}, load)).toEqual({
      namespace: undefined,
      connectionOptions: { address: undefined, apiKey: undefined, tls: undefined, metadata: undefined },
    });
  });

  it('reads the local profile from TEMPORAL_CONFIG_FILE: plaintext, no API key', () => {
    expect(withEnv({ TEMPORAL_CONFIG_FILE: profilesFile }, load)).toEqual({
      namespace: 'default',
      connectionOptions: { address: '127.0.0.1:7233', apiKey: undefined, tls: undefined, metadata: undefined },
    });
  });

  it('finds the file at its default place, $XDG_CONFIG_HOME or ~/.config/temporalio/temporal.toml', () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'temporalio', 'temporal.toml'), PROFILES);
    expect(withEnv({ HOME: home }, load).connectionOptions.address).toBe('127.0.0.1:7233');
    expect(withEnv({ XDG_CONFIG_HOME: path.join(home, '.config') }, load).namespace).toBe('default');
  });

  it('reads the mTLS profile chosen by TEMPORAL_PROFILE: client certificate and key from their files', () => {
    const { namespace, connectionOptions } = withEnv(
      { TEMPORAL_CONFIG_FILE: profilesFile, TEMPORAL_PROFILE: 'mtls' },
      load,
    );
    expect(namespace).toBe('payments.abc12');
    expect(connectionOptions.address).toBe('payments.abc12.tmprl.cloud:7233');
    expect(connectionOptions.apiKey).toBeUndefined();
    const tls = connectionOptions.tls as Exclude<typeof connectionOptions.tls, boolean | null | undefined>;
    expect(text(tls.clientCertPair?.crt)).toBe(CERT);
    expect(text(tls.clientCertPair?.key)).toBe(KEY);
    expect(tls.serverRootCACertificate).toBeUndefined(); // Temporal Cloud: public CAs, never your own client CA
    expect(tls.serverNameOverride).toBeUndefined();
  });

  it('reads the API key profile: the key, TLS switched on, and gRPC metadata', () => {
    expect(withEnv({ TEMPORAL_CONFIG_FILE: profilesFile, TEMPORAL_PROFILE: 'cloud' }, load)).toEqual({
      namespace: 'payments.abc12',
      connectionOptions: {
        address: 'ap-northeast-1.aws.api.temporal.io:7233',
        apiKey: 'cloud-api-key',
        tls: true,
        metadata: { 'x-merchant': 'shop-1' },
      },
    });
  });

  it('lets TEMPORAL_* variables override the profile', () => {
    const { namespace, connectionOptions } = withEnv(
      {
        TEMPORAL_CONFIG_FILE: profilesFile,
        TEMPORAL_PROFILE: 'cloud',
        TEMPORAL_ADDRESS: 'payments.abc12.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'payments-staging.abc12',
        TEMPORAL_API_KEY: 'rotated-key',
      },
      load,
    );
    expect(namespace).toBe('payments-staging.abc12');
    expect(connectionOptions).toMatchObject({
      address: 'payments.abc12.tmprl.cloud:7233',
      apiKey: 'rotated-key',
      tls: true,
    });
  });

  it('configures mTLS from variables alone (no file), with a server name for PrivateLink', () => {
    const { connectionOptions } = withEnv(
      {
        TEMPORAL_ADDRESS: 'vpce-0123.example.internal:7233',
        TEMPORAL_NAMESPACE: 'payments.abc12',
        TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
        TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
        TEMPORAL_TLS_SERVER_NAME: 'payments.abc12.tmprl.cloud',
      },
      load,
    );
    const tls = connectionOptions.tls as Exclude<typeof connectionOptions.tls, boolean | null | undefined>;
    expect(text(tls.clientCertPair?.crt)).toBe(CERT);
    expect(text(tls.clientCertPair?.key)).toBe(KEY);
    expect(tls.serverNameOverride).toBe('payments.abc12.tmprl.cloud');
  });

  it('takes the certificate and key as PEM text in *_DATA variables (for secret stores)', () => {
    const { connectionOptions } = withEnv(
      { TEMPORAL_TLS_CLIENT_CERT_DATA: CERT, TEMPORAL_TLS_CLIENT_KEY_DATA: KEY },
      load,
    );
    const tls = connectionOptions.tls as Exclude<typeof connectionOptions.tls, boolean | null | undefined>;
    expect(text(tls.clientCertPair?.crt)).toBe(CERT);
    expect(text(tls.clientCertPair?.key)).toBe(KEY);
  });

  it('turns TLS off with TEMPORAL_TLS=false, even with an API key', () => {
    const { connectionOptions } = withEnv({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, load);
    expect(connectionOptions.tls).toBe(false);
  });

  describe('sharp edges (docs/production.md warns about each)', () => {
    it('an empty TEMPORAL_API_KEY still counts: TLS on, so a plaintext server is unreachable', () => {
      expect(withEnv({ TEMPORAL_API_KEY: '' }, load).connectionOptions).toMatchObject({ apiKey: '', tls: true });
    });

    it('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION does not disable verification: it only switches TLS on', () => {
      const { connectionOptions } = withEnv({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }, load);
      expect(connectionOptions.tls).toEqual({
        serverNameOverride: undefined,
        serverRootCACertificate: undefined,
        clientCertPair: undefined,
      });
    });

    it('TEMPORAL_GRPC_META_<HEADER> lowercases and turns only the first two _ into - (one per pass)', () => {
      const { connectionOptions } = withEnv(
        { TEMPORAL_GRPC_META_X_MERCHANT_ID: 'shop-1', TEMPORAL_GRPC_META_X_SHOP_CHAIN_ID: 'chain-9' },
        load,
      );
      expect(connectionOptions.metadata).toEqual({ 'x-merchant-id': 'shop-1', 'x-shop-chain_id': 'chain-9' });
    });

    it('a TEMPORAL_CONFIG_FILE that does not exist is ignored silently, unless a profile is asked for', () => {
      const missing = path.join(dir, 'no-such.toml');
      expect(withEnv({ TEMPORAL_CONFIG_FILE: missing }, load).connectionOptions.address).toBeUndefined();
      expect(() => withEnv({ TEMPORAL_CONFIG_FILE: missing, TEMPORAL_PROFILE: 'mtls' }, load)).toThrow(
        "Profile 'mtls' not found in config data",
      );
    });

    it('a misspelt TOML key is ignored (the worker does not load in strict mode)', () => {
      const typo = writeToml('typo.toml', '[profile.default]\naddress = "127.0.0.1:7233"\napikey = "k"\n');
      expect(withEnv({ TEMPORAL_CONFIG_FILE: typo }, load).connectionOptions).toMatchObject({
        apiKey: undefined,
        tls: undefined,
      });
      expect(() => loadClientConnectConfig({ configSource: { path: typo }, configFileStrict: true })).toThrow(
        /unrecognized.*apikey/,
      );
    });
  });

  it('connects with the local profile to a real server, as the worker (NativeConnection) and the client (Connection)', async () => {
    if (!testServerAddress)
      throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through jest (test/global-setup.ts)');
    const local = writeToml(
      'local.toml',
      `[profile.default]\naddress = "${testServerAddress}"\nnamespace = "default"\n`,
    );
    const { connectionOptions, namespace } = withEnv({ TEMPORAL_CONFIG_FILE: local }, load);
    expect(namespace).toBe('default');
    const native = await NativeConnection.connect(connectionOptions);
    await native.close();
    const client = await Connection.connect(connectionOptions);
    try {
      const info = await client.workflowService.getSystemInfo({});
      expect(info.capabilities).toBeTruthy();
    } finally {
      await client.close();
    }
  });
});
