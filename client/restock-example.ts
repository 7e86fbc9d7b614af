/**
 * An admin restocks a product that sold out, and a customer orders it.
 *
 *   npm start                    # in one terminal
 *   npm run example:restock      # in another
 *
 * It calls SHOP_GRAPHQL_URL, or else the API `npm start` serves on PORT (4000), with tokens
 * from the local issuer (or SHOP_TOKEN for both roles).
 */
import { randomUUID } from "node:crypto";
import {
  AdjustStockDocument,
  CreateProductDocument,
  PlaceOrderDocument,
  ProductHistoryDocument,
  ProductsDocument,
} from "../generated/client/graphql";
import { followOrder } from "./example";
import { bearerFor } from "./local-token";
import { graphqlUrl, runScript } from "./script";
import { ShopClient } from "./shop-client";

export interface RestockExampleOptions {
  readonly url: string;
  readonly admin: { readonly authorization: string };
  readonly customer: { readonly authorization: string };
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** A product on sale with nothing in stock: the first one listed, or a new one. */
async function soldOutProduct(admin: ShopClient): Promise<{ id: string; name: string }> {
  let after: string | null | undefined;
  do {
    const { products } = await admin.execute(ProductsDocument, { first: 100, after });
    const soldOut = products.edges.find((edge) => edge.node.stock === 0);
    if (soldOut) return soldOut.node;
    after = products.pageInfo.hasNextPage ? products.pageInfo.endCursor : undefined;
  } while (after);
  const { createProduct } = await admin.execute(CreateProductDocument, {
    input: {
      id: `restock-${randomUUID().slice(0, 8)}`,
      name: "Enamel Camping Mug",
      category: "Outdoors",
      brand: "Trailwise",
      price: { amountCents: 1400, currency: "USD" },
      stock: 0,
    },
  });
  if (createProduct.__typename !== "Product") throw new Error(createProduct.message);
  return createProduct;
}

/** Runs the example; returns the customer's order's final status. */
export async function runRestockExample(options: RestockExampleOptions): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const admin = new ShopClient(options.url, options.admin);
  const customer = new ShopClient(options.url, options.customer);
  const order = () =>
    customer.execute(PlaceOrderDocument, {
      input: { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: randomUUID() },
    });

  const product = await soldOutProduct(admin);
  log(`${product.name} (${product.id}) is sold out`);
  const refused = (await order()).createOrder;
  log(`Customer orders 1: ${refused.__typename === "Order" ? "placed" : refused.message}`);

  const { adjustStock } = await admin.execute(AdjustStockDocument, {
    productId: product.id,
    delta: 10,
    reason: "delivery from the supplier",
  });
  if (adjustStock.__typename !== "Product") throw new Error(adjustStock.message);
  log(`Admin restocks 10: ${adjustStock.stock} in stock`);

  const { createOrder } = await order();
  if (createOrder.__typename !== "Order") throw new Error(`order refused: ${createOrder.message}`);
  log(`Customer orders 1: order ${createOrder.id} placed, ${createOrder.status}`);
  const status = await followOrder(
    customer,
    createOrder.id,
    createOrder.status,
    log,
    options.timeoutMs,
  );

  const { product: recorded } = await admin.execute(ProductHistoryDocument, { id: product.id });
  const last = recorded?.history?.at(-1);
  if (last) log(`History: ${last.change} by ${last.actor}: ${last.summary}`);
  return status;
}

const invokedDirectly =
  process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (invokedDirectly) {
  runScript("npm run example:restock", async () => {
    const [admin, customer] = await Promise.all([
      bearerFor({ admin: "example-admin" }),
      bearerFor({ customer: "example-customer" }),
    ]);
    await runRestockExample({ url: graphqlUrl(), admin, customer });
  });
}
