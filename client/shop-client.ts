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
}
