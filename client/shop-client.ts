import { type Client, createClient, MessageType } from "graphql-ws";
import WebSocket from "ws";
import type { TypedDocumentString } from "../generated/client/graphql";

/** The GraphQL errors of an answer, when it had any. */
export class GraphQLRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[],
  ) {
    super(errors.map((e) => e.message).join("; ") || `HTTP ${status}`);
    this.name = "GraphQLRequestError";
  }
}

/** No HTTP answer came from the url at all: nothing listens there, or it cannot be reached. */
export class ShopUnreachableError extends Error {
  constructor(
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(`no shop answers at ${url}`, options);
    this.name = "ShopUnreachableError";
  }
}

/** The shop refused a subscription, or answered one of its updates with errors only. */
export class SubscriptionError extends Error {
  constructor(
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[],
  ) {
    super(errors.map((e) => e.message).join("; ") || "the subscription was refused");
    this.name = "SubscriptionError";
  }
}

/** The live connection closed while a subscription was open, or the shop refused it outright. */
export class LiveConnectionClosedError extends Error {
  constructor(
    readonly url: string,
    readonly code: number,
    readonly reason: string,
  ) {
    super(`the live connection to ${url} closed: ${code}${reason ? ` ${reason}` : ""}`);
    this.name = "LiveConnectionClosedError";
  }
}

/** An open subscription: its results as they arrive, until it fails or is closed. */
export interface LiveSubscription<TResult> extends AsyncIterable<TResult> {
  /**
   * Settles once the shop has taken the subscription: from then on no change is missed.
   * Rejects with the error the iteration would throw when it fails first.
   */
  readonly ready: Promise<void>;
  /** Completes the subscription and closes its connection; iteration then ends. */
  close(): Promise<void>;
}

/** Variables are required when the operation has a required one, and optional otherwise. */
type VariablesOf<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/**
 * A typed GraphQL client for the shop: pass a document generated from `client/*.graphql`
 * and its variables, get its typed result. Errors come back as a GraphQLRequestError;
 * business failures are data, in the result's union types.
 */
export class ShopClient {
  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesOf<TVariables>
  ): Promise<TResult> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          ...this.headers,
        },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
    } catch (error) {
      // fetch rejects with a TypeError when no response came at all (refused, no route, no host).
      if (error instanceof TypeError) throw new ShopUnreachableError(this.url, { cause: error });
      throw error;
    }
    const body = (await response.json().catch(() => ({}))) as {
      data?: TResult;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    };
    if (body.errors?.length || !body.data)
      throw new GraphQLRequestError(response.status, body.errors ?? []);
    return body.data;
  }

  /**
   * Subscribes over WebSocket (graphql-transport-ws) at the GraphQL url's own address, with
   * this client's token in connection_init. Each subscription has its own connection, which
   * `close()` (or leaving a `for await` loop) closes. Iteration throws a SubscriptionError
   * when the shop refuses the subscription, a LiveConnectionClosedError when the connection
   * closes under it (4403: the token is not valid) and a ShopUnreachableError when nothing
   * answers at all.
   */
  subscribe<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesOf<TVariables>
  ): LiveSubscription<TResult> {
    const url = new URL(this.url);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const address = url.toString();
    const authorization = Object.entries(this.headers).find(
      ([name]) => name.toLowerCase() === "authorization",
    )?.[1];

    let opened = false;
    let connectError: unknown;
    let markReady = () => {};
    let failReady: (error: unknown) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Nobody need wait for it; a failure also ends the iteration, which reports it.
    ready.catch(() => {});

    const client: Client = createClient({
      url: address,
      webSocketImpl: PingAfterSubscribe,
      connectionParams: authorization ? { authorization } : {},
      // A broken connection is reported, not hidden by reconnecting: changes made while it
      // was down would be missed.
      retryAttempts: 0,
      lazy: true,
      on: {
        opened: () => {
          opened = true;
        },
        error: (error) => {
          connectError = error;
        },
        // The pong answers the ping sent right after the subscribe message.
        pong: (received) => {
          if (received) markReady();
        },
      },
    });

    const queue: TResult[] = [];
    let ended: { error?: unknown } | undefined;
    let wake = () => {};
    const end = (error?: unknown) => {
      ended ??= error === undefined ? {} : { error };
      if (error !== undefined) failReady(error);
      else markReady();
      wake();
    };
    const stop = client.subscribe<TResult>(
      { query: document.toString(), variables: variables as Record<string, unknown> | undefined },
      {
        next: (result) => {
          if (result.data) queue.push(result.data as TResult);
          else end(new SubscriptionError(result.errors ?? []));
          wake();
        },
        error: (error) => end(this.subscriptionFailure(error, address, opened, connectError)),
        complete: () => end(),
      },
    );

    const close = async () => {
      end();
      stop();
      await client.dispose();
    };
    return {
      ready,
      close,
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const next = queue.shift();
            if (next !== undefined) {
              yield next;
              continue;
            }
            if (ended) {
              if (ended.error !== undefined) throw ended.error;
              return;
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          }
        } finally {
          await close();
        }
      },
    };
  }

  /** What graphql-ws reports when a subscription fails, as one of this client's errors. */
  private subscriptionFailure(
    error: unknown,
    address: string,
    opened: boolean,
    connectError: unknown,
  ): Error {
    if (Array.isArray(error)) return new SubscriptionError(error);
    if (!opened && isRefusedConnection(connectError)) {
      return new ShopUnreachableError(address, { cause: connectError });
    }
    if (isCloseEvent(error))
      return new LiveConnectionClosedError(address, error.code, error.reason);
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * The WebSocket graphql-ws connects with: after each subscribe message it sends a ping. The
 * shop handles a connection's messages in order, so the pong says the subscription is in place.
 */
class PingAfterSubscribe extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    (super.send as (data: unknown, ...rest: unknown[]) => void)(data, ...rest);
    if (typeof data === "string" && data.includes(`"type":"${MessageType.Subscribe}"`)) {
      super.send(JSON.stringify({ type: MessageType.Ping }));
    }
  }
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === "object" && value !== null && "code" in value && "reason" in value;
}

/** No WebSocket could be opened because nothing accepted the TCP connection. */
function isRefusedConnection(error: unknown): boolean {
  const cause = (error as { error?: { code?: unknown } } | undefined)?.error;
  return ["ECONNREFUSED", "EHOSTUNREACH", "ENOTFOUND", "ECONNRESET"].includes(String(cause?.code));
}
