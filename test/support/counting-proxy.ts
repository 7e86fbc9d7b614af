import { createServer, request as forward } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that passed through the proxy: its API action and when it was in flight. */
export interface CountedCall {
  readonly action: string;
  readonly start: number;
  readonly end: number;
}

/**
 * An HTTP proxy in front of an AWS service endpoint (DynamoDB Local) that notes every call:
 * the action (`X-Amz-Target`) and when it was in flight. Pointing a function's
 * `AWS_ENDPOINT_URL_DYNAMODB` at it counts what the function really sends, on the wire.
 * With `latencyMs`, each call is held that long first, as a network between would.
 */
export async function startCountingProxy(target: string, options: { latencyMs?: number } = {}) {
  const upstream = new URL(target);
  let calls: CountedCall[] = [];
  const server = createServer(async (incoming, reply) => {
    const start = performance.now();
    const action =
      String(incoming.headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "";
    // A network's latency on every call: calls sent together overlap for certain, and calls
    // sent one after another cannot, whatever the time a new connection takes.
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const outgoing = forward(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        reply.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(reply);
        response.on("end", () => calls.push({ action, start, end: performance.now() }));
      },
    );
    outgoing.on("error", () => reply.destroy());
    incoming.pipe(outgoing);
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The calls so far, and forget them. */
    take(): CountedCall[] {
      const taken = [...calls].sort((a, b) => a.start - b.start);
      calls = [];
      return taken;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * Round trips one after another: a call that starts while another is in flight shares its
 * step; a call that starts when none is in flight begins the next one.
 */
export function sequentialSteps(calls: readonly CountedCall[]): CountedCall[][] {
  const steps: CountedCall[][] = [];
  let inFlightUntil = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    if (call.start < inFlightUntil && steps.length > 0) steps.at(-1)?.push(call);
    else steps.push([call]);
    inFlightUntil = Math.max(inFlightUntil, call.end);
  }
  return steps;
}
