/**
 * What the catalog loader is asked and what it answers: the contract between the loader
 * (consumers/catalog-loader.ts) and `npm run catalog`, which invokes it as Lambda would.
 * Types only, so the command reads the contract without loading the loader's code.
 */

import type { CatalogFileRow, RowProblem } from "../core/catalog/product-input";

export type { CatalogFileRow, RowProblem };

/** What the loader is asked: check rows, load a batch of them, or write the catalog out. */
export type LoaderRequest =
  | { readonly action: "validate"; readonly rows: readonly unknown[] }
  | {
      readonly action: "import";
      readonly rows: readonly unknown[];
      /** Who loads, as the history names it (catalog-import:<who>). */
      readonly actor: string;
      /** The number of the batch's first row in its file, for messages. */
      readonly firstRow?: number;
    }
  | { readonly action: "export" };

export interface ImportSummary {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Rows a concurrent change got to first; importing again settles them. */
  readonly conflicts: readonly { readonly row: number; readonly id: string }[];
}

export type LoaderResponse =
  | { readonly problems: readonly RowProblem[] }
  | ImportSummary
  | { readonly rows: readonly CatalogFileRow[] };
