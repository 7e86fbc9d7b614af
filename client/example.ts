/**
 * Places an order against the shop and follows it until it settles, printing each status.
 *
 *   npm start            # in one terminal
 *   npm run example      # in another (SHOP_GRAPHQL_URL overrides http://127.0.0.1:4000/graphql)
 */
import { randomUUID } from "node:crypto";
import {
  OrderStatusDocument,
  PlaceOrderDocument,
  ProductsDocument,
} from "../generated/client/graphql";
import { ShopClient } from "./shop-client";

export interface ExampleOptions {
  readonly url: string;
  readonly customerId?: string;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** Runs the example; returns the order's final status. */
export async function runExample(options: ExampleOptions): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const client = new ShopClient(options.url);

  const { products } = await client.execute(ProductsDocument, { first: 20 });
  const product = products.edges.map((e) => e.node).find((p) => p.stock > 0);
  if (!product) throw new Error("no product in stock");
  log(`Ordering 1 x ${product.name} (${product.price.formatted})`);

  const { createOrder } = await client.execute(PlaceOrderDocument, {
    input: {
      customerId: options.customerId ?? "example-customer",
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

  let status: string = createOrder.status;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (status === "PENDING" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const { order } = await client.execute(OrderStatusDocument, { id: createOrder.id });
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
  runExample({ url: process.env.SHOP_GRAPHQL_URL ?? "http://127.0.0.1:4000/graphql" }).catch(
    (error: unknown) => {
      console.error(`example failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
