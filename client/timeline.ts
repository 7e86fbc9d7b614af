/**
 * Prints what happened to one order across the system, from the running local stack.
 *
 *   npm run timeline -- <orderId>
 *
 * It calls SHOP_GRAPHQL_URL, or else the API `npm start` serves on PORT (4000), as an admin
 * with a token from the local issuer (or SHOP_TOKEN).
 */
import { OrderTimelineDocument } from "../generated/client/graphql";
import { bearerFor } from "./local-token";
import { graphqlUrl, runScript } from "./script";
import { ShopClient } from "./shop-client";

runScript("npm run timeline", async () => {
  const orderId = process.argv[2];
  if (!orderId) {
    console.error("usage: npm run timeline -- <orderId>");
    process.exitCode = 1;
    return;
  }
  const client = new ShopClient(graphqlUrl(), await bearerFor({ admin: "timeline" }));
  const { orderTimeline } = await client.execute(OrderTimelineDocument, { orderId });
  if (!orderTimeline) throw new Error(`no order ${orderId}`);
  for (const entry of orderTimeline) {
    console.log(
      `${entry.at}  ${entry.source.padEnd(16)} ${entry.kind.padEnd(16)} ${entry.summary}`,
    );
  }
});
