/**
 * Prints what happened to one order across the system, from the running local stack.
 *
 *   npm run timeline -- <orderId>     (SHOP_GRAPHQL_URL overrides http://127.0.0.1:4000/graphql)
 */
import { OrderTimelineDocument } from "../generated/client/graphql";
import { ShopClient } from "./shop-client";

const orderId = process.argv[2];
if (!orderId) {
  console.error("usage: npm run timeline -- <orderId>");
  process.exit(1);
}
const client = new ShopClient(process.env.SHOP_GRAPHQL_URL ?? "http://127.0.0.1:4000/graphql");
client
  .execute(OrderTimelineDocument, { orderId })
  .then(({ orderTimeline }) => {
    if (!orderTimeline) {
      console.error(`no order ${orderId}`);
      process.exit(1);
    }
    for (const entry of orderTimeline) {
      console.log(
        `${entry.at}  ${entry.source.padEnd(16)} ${entry.kind.padEnd(16)} ${entry.summary}`,
      );
    }
  })
  .catch((error: unknown) => {
    console.error(`npm run timeline: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
