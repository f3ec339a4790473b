// A TCP proxy on loopback for outage tests: clients connect to the proxy's port, which forwards to a server;
// outage(ms) drops every open connection and refuses new ones (the port stops listening) for that long, as a
// database restart or a network cut does.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops all connections and refuses new ones for `ms`; resolves once the proxy listens again. */
  outage(ms: number): Promise<void>;
  /** Connections dropped by outages so far. */
  dropped(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let dropped = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async outage(ms) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropped += sockets.size;
        for (const s of sockets) s.destroy();
      });
      await new Promise((r) => setTimeout(r, ms));
      await listen(port);
    },
    dropped: () => dropped,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
