import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Product } from "../core/catalog/product";
import { InvalidCursorError } from "../core/shared/errors";
import { aProduct, createTestShop, type TestShop } from "../test/support/test-shop";
import { encodeCursor } from "./cursor";
import { DynamoProductRepository } from "./dynamo-product-repository";

let shop: TestShop;
let repository: DynamoProductRepository;

const garden = Array.from({ length: 23 }, (_, i) =>
  aProduct({ productId: `g-${String(i).padStart(2, "0")}`, category: "Garden" }),
);
const tools = Array.from({ length: 7 }, (_, i) =>
  aProduct({ productId: `t-${i}`, category: "Tools" }),
);

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([...garden, ...tools]);
  repository = new DynamoProductRepository(
    shop.local.document,
    shop.provisioned.tableNames.products,
  );
});
afterAll(() => shop.destroy());

async function walk(first: number, category?: string): Promise<Product[][]> {
  const pages: Product[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await repository.listProducts({
      first,
      ...(after ? { after } : {}),
      ...(category ? { category } : {}),
    });
    pages.push(page.edges.map((e) => e.node));
    if (!page.hasNextPage) return pages;
    after = page.edges.at(-1)?.cursor;
  }
}

describe("DynamoProductRepository", () => {
  it("reads a product by id, and nothing for an unknown id", async () => {
    expect(await repository.getProduct("t-3")).toEqual(tools[3]);
    expect(await repository.getProduct("nope")).toBeUndefined();
  });

  it("reads many products at once and leaves unknown ids out", async () => {
    const found = await repository.getProducts(["g-01", "t-0", "missing", "g-01"]);
    expect([...found.keys()].sort()).toEqual(["g-01", "t-0"]);
  });

  it("pages through the whole catalog once, with no cursor after the last page", async () => {
    const pages = await walk(10);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10]);
    const ids = pages.flat().map((p) => p.productId);
    expect(new Set(ids).size).toBe(30);
  });

  it("says there is no next page when the last page is exactly full", async () => {
    const pages = await walk(15);
    expect(pages.map((p) => p.length)).toEqual([15, 15]);
  });

  it("lists one category in product id order", async () => {
    const pages = await walk(5, "Garden");
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat().map((p) => p.productId)).toEqual(garden.map((p) => p.productId));
    expect(await walk(5, "No Such Category")).toEqual([[]]);
  });

  it("refuses a cursor it did not issue", async () => {
    await expect(repository.listProducts({ first: 5, after: "not-a-cursor" })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(
      repository.listProducts({ first: 5, after: encodeCursor({ productId: "g-01", extra: "x" }) }),
    ).rejects.toThrow(InvalidCursorError);
    // A catalog cursor lacks the category index's keys.
    await expect(
      repository.listProducts({
        first: 5,
        category: "Garden",
        after: encodeCursor({ productId: "g-01" }),
      }),
    ).rejects.toThrow(InvalidCursorError);
  });
});
