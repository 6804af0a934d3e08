import net from 'node:net';

/** Resolves when nothing listens on host:port; rejects with a message naming the setting to change. */
export function assertPortFree(host: string, port: number, what: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `${what} port ${port} is already in use (is another stack running?). Choose another with ${envVar}=<port>.`
            : `${what} port ${port}: ${err.code ?? err.message}`,
        ),
      );
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Reads a port from the environment, with a default; 1-65535. */
export function portFromEnv(envVar: string, fallback: number): number {
  const raw = process.env[envVar];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${envVar} must be a port number 1-65535, got ${raw}`);
  return port;
}

/** A port nothing listens on right now (the OS picks it), for stacks that may run side by side. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
