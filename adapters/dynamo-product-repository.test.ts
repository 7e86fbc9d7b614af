import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Product } from "../core/catalog/product";
import { InvalidCursorError, InvalidInputError } from "../core/shared/errors";
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
/** Every other one archived, so a page takes more than one read, either way. */
const shed = Array.from({ length: 12 }, (_, i) =>
  aProduct({
    productId: `s-${String(i).padStart(2, "0")}`,
    category: "Shed",
    archived: i % 2 === 1,
  }),
);

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([...garden, ...tools, ...shed]);
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

async function firstCursor(request: Parameters<typeof repository.listProducts>[0]) {
  const cursor = (await repository.listProducts(request)).edges[0]?.cursor;
  if (!cursor) throw new Error("an empty page has no cursor");
  return cursor;
}

/** The pages from the list's end back to its start, put in the list's order. */
async function walkBack(last: number, category?: string): Promise<Product[][]> {
  const pages: Product[][] = [];
  let before: string | undefined;
  for (;;) {
    const page = await repository.listProducts({
      last,
      ...(before ? { before } : {}),
      ...(category ? { category } : {}),
    });
    pages.unshift(page.edges.map((e) => e.node));
    // Paging backward, what comes after is not looked for.
    expect(page.hasNextPage).toBe(false);
    if (!page.hasPreviousPage) return pages;
    before = page.edges[0]?.cursor;
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
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 6]);
    const ids = pages.flat().map((p) => p.productId);
    expect(new Set(ids).size).toBe(36);
  });

  it("says there is no next page when the last page is exactly full", async () => {
    const pages = await walk(12);
    expect(pages.map((p) => p.length)).toEqual([12, 12, 12]);
  });

  it("lists one category in product id order", async () => {
    const pages = await walk(5, "Garden");
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat().map((p) => p.productId)).toEqual(garden.map((p) => p.productId));
    expect(await walk(5, "No Such Category")).toEqual([[]]);
  });

  it("pages a category backward through the same products, in the same order, as forward", async () => {
    for (const [category, products] of [
      ["Garden", garden],
      ["Shed", shed.filter((p) => !p.archived)],
    ] as const) {
      const pages = await walkBack(5, category);
      expect(pages.flat().map((p) => p.productId)).toEqual(products.map((p) => p.productId));
      expect((await walk(5, category)).flat()).toEqual(pages.flat());
    }
    expect((await walkBack(5, "Garden")).map((p) => p.length)).toEqual([3, 5, 5, 5, 5]);
    const whole = await repository.listProducts({ last: 23, category: "Garden" });
    expect([whole.edges.length, whole.hasPreviousPage]).toEqual([23, false]);
    expect(await walkBack(5, "No Such Category")).toEqual([[]]);
  });

  it("pages the whole catalog forward only: it is a scan, which has no order to reverse", async () => {
    await expect(repository.listProducts({ last: 5 })).rejects.toThrow(
      new InvalidInputError(
        "the whole catalog pages forward only (first and after): name a category to page backward",
      ),
    );
    const cursor = await firstCursor({ first: 1 });
    await expect(repository.listProducts({ last: 5, before: cursor })).rejects.toThrow(
      InvalidInputError,
    );
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
    // Another category's cursor is not for this list, either way.
    const tool = await firstCursor({ first: 1, category: "Tools" });
    await expect(
      repository.listProducts({ first: 5, category: "Garden", after: tool }),
    ).rejects.toThrow(InvalidCursorError);
    await expect(
      repository.listProducts({ last: 5, category: "Garden", before: tool }),
    ).rejects.toThrow(InvalidCursorError);
    await expect(
      repository.listProducts({ last: 5, category: "Garden", before: "not-a-cursor" }),
    ).rejects.toThrow(InvalidCursorError);
  });
});
