import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { CloseReason, ConnectionGateway } from "../core/live/ports";
import { createManagementApiClient, type SdkSettings } from "./aws-clients";

/**
 * API Gateway answers 410 for a connection that no longer exists, naming `GoneException`;
 * the status alone is enough, so a stand-in that answers a bare 410 means the same.
 */
function isGone(error: unknown): boolean {
  if (error instanceof GoneException) return true;
  const { $metadata } = error as { $metadata?: { httpStatusCode?: number } };
  return $metadata?.httpStatusCode === 410;
}

/**
 * Reaches WebSocket clients through API Gateway's management API (the client from
 * `createManagementApiClient`): each message is one PostToConnection, each close one
 * DeleteConnection.
 */
export class ApiGatewayConnectionGateway implements ConnectionGateway {
  /**
   * `closeCodes`: the endpoint takes a close code and reason with DeleteConnection (as
   * `code` and `reason` in the query string), which the local stand-in does and API Gateway
   * does not: there a connection closes without the protocol's code.
   */
  constructor(
    private readonly client: ApiGatewayManagementApiClient,
    private readonly options: { readonly closeCodes?: boolean } = {},
  ) {}

  async send(connectionId: string, message: string): Promise<"sent" | "gone"> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: message }),
      );
      return "sent";
    } catch (error) {
      if (isGone(error)) return "gone";
      throw error;
    }
  }

  async close(connectionId: string, why?: CloseReason): Promise<void> {
    const command = new DeleteConnectionCommand({ ConnectionId: connectionId });
    if (why && this.options.closeCodes) {
      command.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { query?: Record<string, string> };
          request.query = { ...request.query, code: String(why.code), reason: why.reason };
          return next(args);
        },
        { step: "build", name: "closeCode" },
      );
    }
    try {
      await this.client.send(command);
    } catch (error) {
      // Closed already, by the client or by API Gateway: what was asked for is done.
      if (!isGone(error)) throw error;
    }
  }
}

/**
 * The gateway to a WebSocket API's connections at `managementUrl`, signing in `region`. The
 * local stand-in (an http:// endpoint) closes a connection with the protocol's code; API
 * Gateway cannot.
 */
export function connectionGatewayAt(
  managementUrl: string,
  region: string,
  sdk: SdkSettings,
): ApiGatewayConnectionGateway {
  return new ApiGatewayConnectionGateway(
    createManagementApiClient({ region, endpoint: managementUrl }, sdk),
    { closeCodes: managementUrl.startsWith("http://") },
  );
}
