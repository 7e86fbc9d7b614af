/**
 * Places an order against the shop and follows it by subscription until it settles, printing
 * each status as it changes.
 *
 *   npm start            # in one terminal
 *   npm run example      # in another
 *
 * It calls SHOP_GRAPHQL_URL, or else the API `npm start` serves on PORT (4000), as a
 * customer with a token from the local issuer (or SHOP_TOKEN); it follows the order over
 * WebSocket at the same address.
 */
import { randomUUID } from "node:crypto";
import {
  OrderStatusDocument,
  type OrderStatusQuery,
  OrderUpdatesDocument,
  type OrderUpdatesSubscription,
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

/**
 * Follows the order by subscription until it leaves PENDING (or `timeoutMs` passes),
 * printing each new status as the shop pushes it.
 */
export async function followOrder(
  client: ShopClient,
  orderId: string,
  initialStatus: string,
  log: (line: string) => void,
  timeoutMs = 30_000,
): Promise<string> {
  let status = initialStatus;
  const report = (order: OrderStatusQuery["order"] | OrderUpdatesSubscription["orderUpdated"]) => {
    if (!order || order.status === status) return;
    status = order.status;
    log(
      `Order ${order.id} is now ${status}${order.statusReason ? ` (${order.statusReason})` : ""}`,
    );
    if (order.fraudAssessment) {
      log(`  fraud score ${order.fraudAssessment.score}: ${order.fraudAssessment.decision}`);
    }
  };

  const updates = client.subscribe(OrderUpdatesDocument, { id: orderId });
  const timer = setTimeout(() => void updates.close(), timeoutMs);
  try {
    await updates.ready;
    // A change made before the subscription was in place is not pushed: one look covers it.
    const { order } = await client.execute(OrderStatusDocument, { id: orderId });
    report(order);
    if (status === "PENDING") {
      for await (const { orderUpdated } of updates) {
        report(orderUpdated);
        if (status !== "PENDING") break;
      }
    }
  } finally {
    clearTimeout(timer);
    await updates.close();
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
