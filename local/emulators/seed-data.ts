import sampleCatalog from "../../catalog/sample-catalog.json" with { type: "json" };

/** A product as the products table holds it. */
export interface SeedProduct {
  readonly productId: string;
  readonly name: string;
  readonly category: string;
  readonly brand: string;
  readonly description: string;
  readonly priceCents: number;
  readonly currency: "USD";
  readonly stock: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/**
 * The sample catalog: 50 products, `prod-0001`..`prod-0050`, ten in each of five
 * categories, as the system this replaces seeded. Fixed data, so every fresh start and
 * every test sees the same shop. It is a catalog file like any other
 * (`npm run catalog -- import catalog/sample-catalog.json` loads it), and the one a
 * deployed stack loads with `-c sampleCatalog=true`.
 */
export function seedProducts(now: string): SeedProduct[] {
  return sampleCatalog.map((row) => ({
    productId: row.id,
    name: row.name,
    category: row.category,
    brand: row.brand,
    description: row.description,
    priceCents: row.priceCents,
    currency: "USD" as const,
    stock: row.stock,
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));
}
