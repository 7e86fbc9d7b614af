/**
 * Prints what happened to one order across the system, from the running local stack.
 *
 *   npm run timeline -- <orderId>
 *
 * It calls the API on PORT (4000), or SHOP_GRAPHQL_URL, as an admin with a token from the
 * local issuer (or SHOP_TOKEN).
 */
import { OrderTimelineDocument } from "../generated/client/graphql";
import { bearerFor, graphqlUrl } from "./local-token";
import { ShopClient } from "./shop-client";

const orderId = process.argv[2];
if (!orderId) {
  console.error("usage: npm run timeline -- <orderId>");
  process.exit(1);
}
bearerFor({ admin: "timeline" })
  .then((headers) =>
    new ShopClient(graphqlUrl(), headers).execute(OrderTimelineDocument, { orderId }),
  )
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
