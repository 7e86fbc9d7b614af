import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "pass" | "refuse";

/**
 * A TCP proxy in front of a service, to take it away and give it back: `refuse` closes every
 * connection (the service is down), `pass` forwards again. Clients see exactly what a dead
 * or restarted service looks like on the wire.
 */
export interface FaultProxy {
  readonly url: string;
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  let mode: ProxyMode = "pass";
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (mode === "refuse") {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const address = server.address();
  const listening = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${listening}`,
    set(next) {
      mode = next;
      // Down means down: connections kept alive from before are cut too.
      if (next === "refuse") for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise((done) => {
        for (const socket of open) socket.destroy();
        server.close(() => done());
      }),
  };
}
