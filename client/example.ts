/**
 * Places an order against the shop and follows it until it settles, printing each status.
 *
 *   npm start            # in one terminal
 *   npm run example      # in another
 *
 * It calls SHOP_GRAPHQL_URL, or else the API `npm start` serves on PORT (4000), as a
 * customer with a token from the local issuer (or SHOP_TOKEN).
 */
import { randomUUID } from "node:crypto";
import {
  OrderStatusDocument,
  PlaceOrderDocument,
  ProductsDocument,
} from "../generated/client/graphql";
import { bearerFor } from "./local-token";
import { graphqlUrl, runScript } from "./script";
import { ShopClient } from "./shop-client";

export interface ExampleOptions {
  readonly url: string;
  /** The customer's Authorization header. */
  readonly headers: { readonly authorization: string };
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** Runs the example; returns the order's final status. */
export async function runExample(options: ExampleOptions): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const client = new ShopClient(options.url, options.headers);

  const { products } = await client.execute(ProductsDocument, { first: 20 });
  const product = products.edges.map((e) => e.node).find((p) => p.stock > 0);
  if (!product) throw new Error("no product in stock");
  log(`Ordering 1 x ${product.name} (${product.price.formatted})`);

  const { createOrder } = await client.execute(PlaceOrderDocument, {
    input: {
      items: [{ productId: product.id, quantity: 1 }],
      // A retry of this request (after a timeout, say) would return the same order.
      idempotencyKey: randomUUID(),
    },
  });
  if (createOrder.__typename !== "Order") {
    throw new Error(`order refused: ${createOrder.message}`);
  }
  log(
    `Order ${createOrder.id} placed: ${createOrder.status}, total ${createOrder.total.formatted}`,
  );

  return followOrder(client, createOrder.id, createOrder.status, log, options.timeoutMs);
}

/** Asks for the order every 250 ms until it leaves PENDING, printing each new status. */
export async function followOrder(
  client: ShopClient,
  orderId: string,
  initialStatus: string,
  log: (line: string) => void,
  timeoutMs = 30_000,
): Promise<string> {
  let status = initialStatus;
  const deadline = Date.now() + timeoutMs;
  while (status === "PENDING" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const { order } = await client.execute(OrderStatusDocument, { id: orderId });
    if (order && order.status !== status) {
      status = order.status;
      log(
        `Order ${order.id} is now ${status}${order.statusReason ? ` (${order.statusReason})` : ""}`,
      );
      if (order.fraudAssessment) {
        log(`  fraud score ${order.fraudAssessment.score}: ${order.fraudAssessment.decision}`);
      }
    }
  }
  if (status === "PENDING") log("Still PENDING: are the consumers running (npm start)?");
  return status;
}

const invokedDirectly =
  process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (invokedDirectly) {
  runScript("npm run example", async () => {
    await runExample({
      url: graphqlUrl(),
      headers: await bearerFor({ customer: "example-customer" }),
    });
  });
}
