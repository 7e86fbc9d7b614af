import type { CatalogResult } from "../core/catalog/catalog-admin";
import type { ChangeStatusResult } from "../core/orders/order-lifecycle";
import type { PlaceOrderResult } from "../core/orders/order-service";
import { ForbiddenError, NotAuthenticatedError } from "../core/shared/access";
import {
  ContentionError,
  DependencyUnavailableError,
  InvalidCursorError,
  InvalidInputError,
  UnreachableCaseError,
} from "../core/shared/errors";
import type { ResolversTypes } from "../generated/resolvers-types";

/**
 * How every expected outcome reads on both surfaces: the member of the GraphQL result
 * union (with its `errorCode` and message) and the HTTP status a REST route answers with.
 * GraphQL and REST both read this one table, so they cannot disagree.
 */

export type PlaceOrderFailure = Exclude<PlaceOrderResult, { kind: "placed" }>;
export type ChangeStatusFailure = Exclude<ChangeStatusResult, { kind: "changed" }>;

type UnionMember<U extends keyof ResolversTypes> = Exclude<
  Awaited<ResolversTypes[U]>,
  { __typename?: "Order" }
>;

export interface Outcome<M> {
  /** The status a REST route answers with. */
  readonly httpStatus: number;
  /** The GraphQL union member; its `message` is also REST's `{"error": ...}`. */
  readonly member: M;
}

/** Names a field of the input for one surface: REST speaks snake_case, GraphQL camelCase. */
export type FieldNamer = (field: string) => string;
const asIs: FieldNamer = (field) => field;

export function placeOrderOutcome(
  result: PlaceOrderFailure,
  nameField: FieldNamer = asIs,
): Outcome<UnionMember<"CreateOrderResult">> {
  switch (result.kind) {
    case "invalidOrder":
      return {
        httpStatus: 400,
        member: {
          __typename: "InvalidOrder",
          errorCode: "INVALID_ORDER",
          message: `${nameField(result.field)} ${result.reason}`,
          field: result.field,
          reason: result.reason,
        },
      };
    case "productNotFound":
      return productNotFound(result.productId);
    case "productUnavailable":
      // The REST routes hide archived products, so to them it is not found either.
      return {
        httpStatus: 404,
        member: {
          __typename: "ProductUnavailable",
          errorCode: "PRODUCT_UNAVAILABLE",
          message: `Product ${result.productId} is no longer sold`,
          productId: result.productId,
        },
      };
    case "insufficientStock":
      return insufficientStock(result);
    case "idempotencyKeyReused":
      return {
        httpStatus: 422,
        member: {
          __typename: "IdempotencyKeyReused",
          errorCode: "IDEMPOTENCY_KEY_REUSED",
          message: `Idempotency key ${result.idempotencyKey} was already used for a different order`,
          idempotencyKey: result.idempotencyKey,
        },
      };
    default:
      throw new UnreachableCaseError(result);
  }
}

function productNotFound(productId: string) {
  return {
    httpStatus: 404,
    member: {
      __typename: "ProductNotFound" as const,
      errorCode: "PRODUCT_NOT_FOUND" as const,
      message: `Product ${productId} does not exist`,
      productId,
    },
  };
}

function insufficientStock(result: { productId: string; requested: number; available: number }) {
  return {
    httpStatus: 409,
    member: {
      __typename: "InsufficientStock" as const,
      errorCode: "INSUFFICIENT_STOCK" as const,
      message: `Only ${result.available} of ${result.productId} in stock, ${result.requested} requested`,
      ...result,
    },
  };
}

export type CatalogFailure = Exclude<CatalogResult, { kind: "changed" }>;

/** Every catalog mutation's failure, as the member of its result union. */
export function catalogOutcome(
  result: CatalogFailure,
): Outcome<
  | UnionMember<"CreateProductResult">
  | UnionMember<"UpdateProductResult">
  | UnionMember<"AdjustStockResult">
  | UnionMember<"SetProductStockBucketsResult">
> {
  switch (result.kind) {
    case "invalidProduct":
      return {
        httpStatus: 400,
        member: {
          __typename: "InvalidProduct",
          errorCode: "INVALID_PRODUCT",
          message: `${result.field} ${result.reason}`,
          field: result.field,
          reason: result.reason,
        },
      };
    case "productAlreadyExists":
      return {
        httpStatus: 409,
        member: {
          __typename: "ProductAlreadyExists",
          errorCode: "PRODUCT_ALREADY_EXISTS",
          message: `Product ${result.productId} already exists`,
          productId: result.productId,
        },
      };
    case "productNotFound":
      return productNotFound(result.productId);
    case "versionConflict":
      return {
        httpStatus: 409,
        member: {
          __typename: "VersionConflict",
          errorCode: "VERSION_CONFLICT",
          message: `Product ${result.productId} is at version ${result.currentVersion}, not ${result.expectedVersion}: read it again and reapply the change`,
          productId: result.productId,
          expectedVersion: result.expectedVersion,
          currentVersion: result.currentVersion,
        },
      };
    case "insufficientStock":
      return insufficientStock(result);
    default:
      throw new UnreachableCaseError(result);
  }
}

export function changeStatusOutcome(
  result: ChangeStatusFailure,
): Outcome<UnionMember<"ChangeOrderStatusResult">> {
  switch (result.kind) {
    case "orderNotFound":
      return {
        httpStatus: 404,
        member: {
          __typename: "OrderNotFound",
          errorCode: "ORDER_NOT_FOUND",
          message: `Order ${result.orderId} does not exist`,
          orderId: result.orderId,
        },
      };
    case "invalidTransition":
      return {
        httpStatus: 409,
        member: {
          __typename: "InvalidTransition",
          errorCode: "INVALID_TRANSITION",
          message: `Order ${result.orderId} is ${result.from} and cannot become ${result.to}`,
          orderId: result.orderId,
          from: result.from,
          to: result.to,
        },
      };
    default:
      throw new UnreachableCaseError(result);
  }
}

/** A thrown error that is the client's to handle: a GraphQL error code and an HTTP status. */
export interface ErrorOutcome {
  readonly code: "BAD_USER_INPUT" | "UNAUTHENTICATED" | "FORBIDDEN" | "SERVICE_UNAVAILABLE";
  readonly httpStatus: 400 | 401 | 403 | 503;
  readonly message: string;
}

/** The outcome of an expected error thrown by core; undefined for anything unexpected. */
export function errorOutcome(error: unknown): ErrorOutcome | undefined {
  if (error instanceof InvalidCursorError || error instanceof InvalidInputError) {
    return { code: "BAD_USER_INPUT", httpStatus: 400, message: error.message };
  }
  if (error instanceof NotAuthenticatedError) {
    return { code: "UNAUTHENTICATED", httpStatus: 401, message: error.message };
  }
  if (error instanceof ForbiddenError) {
    return { code: "FORBIDDEN", httpStatus: 403, message: error.message };
  }
  if (error instanceof ContentionError) {
    return {
      code: "SERVICE_UNAVAILABLE",
      httpStatus: 503,
      message: "The product is in high demand; please retry the request",
    };
  }
  if (error instanceof DependencyUnavailableError) {
    return { code: "SERVICE_UNAVAILABLE", httpStatus: 503, message: error.message };
  }
  return undefined;
}
