import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestShop, type TestShop } from "../../test/support/test-shop";
import { releaseAbandonedClaims } from "./abandoned-claims";

let shop: TestShop;
beforeAll(async () => {
  shop = await createTestShop();
});
afterAll(() => shop.destroy());

describe("releasing the claims of a stopped run", () => {
  it("removes the claims still in progress, and keeps the record of what was completed", async () => {
    const table = shop.provisioned.tableNames.consumerIdempotency;
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    const record = (id: string, status: string) =>
      shop.local.document.send(
        new PutCommand({
          TableName: table,
          Item: { id, status, expiration, in_progress_expiration: Date.now() + 30_000 },
        }),
      );
    await record("fraud#claimed", "INPROGRESS");
    await record("fraud#done", "COMPLETED");
    expect(await releaseAbandonedClaims(shop.local.document, table)).toBe(1);
    const item = async (id: string) =>
      (await shop.local.document.send(new GetCommand({ TableName: table, Key: { id } }))).Item;
    expect(await item("fraud#claimed")).toBeUndefined();
    expect((await item("fraud#done"))?.status).toBe("COMPLETED");
    expect(await releaseAbandonedClaims(shop.local.document, table)).toBe(0);
  });
});
