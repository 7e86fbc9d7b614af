/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateOrderInput = {
  /**
   * Whom the order is for. A customer orders as itself: leave it out, or name yourself (another
   * customer is FORBIDDEN). An admin names the customer it orders for.
   */
  customerId?: string | number | null | undefined;
  /**
   * Makes the request safe to retry: the same key with the same input returns the same
   * order and reserves nothing more; the same key with another input is
   * IdempotencyKeyReused. Keys are per customer and remembered for 24 hours.
   */
  idempotencyKey?: string | null | undefined;
  /** 1 to 50 lines. A product listed twice is ordered once with the quantities summed. */
  items: Array<OrderItemInput>;
};

/** What kind of business failure a result reports. */
export type ErrorCode =
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INSUFFICIENT_STOCK'
  | 'INVALID_ORDER'
  | 'INVALID_PRODUCT'
  | 'INVALID_TRANSITION'
  | 'ORDER_NOT_FOUND'
  | 'PRODUCT_ALREADY_EXISTS'
  | 'PRODUCT_NOT_FOUND'
  | 'PRODUCT_UNAVAILABLE'
  | 'VERSION_CONFLICT';

export type FraudDecision =
  | 'APPROVE'
  | 'REJECT';

/** An amount in cents. The shop sells in one currency, USD. */
export type MoneyInput = {
  amountCents: number;
  currency?: string;
};

export type OrderChange =
  | 'CREATED'
  | 'DELETED'
  | 'FRAUD_ASSESSED'
  | 'STATUS_CHANGED'
  | 'STOCK_RELEASED';

export type OrderItemInput = {
  productId: string | number;
  /** Whole units, 1 to 1000. */
  quantity: number;
};

/**
 * Where an order is in its life. PENDING until fraud checks and payment decide; then
 * CONFIRMED or REJECTED. A CONFIRMED order is SHIPPED; a PENDING or CONFIRMED one may be CANCELLED.
 */
export type OrderStatus =
  | 'CANCELLED'
  | 'CONFIRMED'
  | 'PENDING'
  | 'REJECTED'
  | 'SHIPPED';

export type ProductChange =
  | 'ARCHIVED'
  | 'CREATED'
  | 'STOCK_ADJUSTED'
  /** The stock spread over buckets (the product made hot), or gathered back onto the product. */
  | 'STOCK_SPREAD'
  | 'UPDATED';

export type ProductInput = {
  /** 1 to 100 characters. */
  brand: string;
  /** 1 to 100 characters. */
  category: string;
  /** At most 2000 characters. */
  description?: string | null | undefined;
  /** Letters, digits and _ . - (at most 64); generated when left out. */
  id?: string | number | null | undefined;
  /** 1 to 200 characters. */
  name: string;
  /** 0 to 10,000,000 cents. */
  price: MoneyInput;
  /** Units in stock at the start, 0 to 1,000,000. */
  stock: number;
};

/** The fields to change (at least one), and the version the change was made against. */
export type ProductUpdate = {
  brand?: string | null | undefined;
  category?: string | null | undefined;
  description?: string | null | undefined;
  /** The product's `version` as read; VersionConflict when someone changed it since. */
  expectedVersion: number;
  name?: string | null | undefined;
  price?: MoneyInput | null | undefined;
};

export type ShipOrderMutationVariables = Exact<{
  orderId: string | number;
}>;


export type ShipOrderMutation = { shipOrder:
    | { __typename: 'InvalidTransition', errorCode: ErrorCode, message: string }
    | { __typename: 'Order', id: string, status: OrderStatus }
    | { __typename: 'OrderNotFound', errorCode: ErrorCode, message: string }
   };

export type CancelOrderMutationVariables = Exact<{
  orderId: string | number;
  reason?: string | null | undefined;
}>;


export type CancelOrderMutation = { cancelOrder:
    | { __typename: 'InvalidTransition', errorCode: ErrorCode, message: string }
    | { __typename: 'Order', id: string, status: OrderStatus, statusReason: string | null }
    | { __typename: 'OrderNotFound', errorCode: ErrorCode, message: string }
   };

export type DailySalesQueryVariables = Exact<{
  day?: string | null | undefined;
}>;


export type DailySalesQuery = { dailySales: { day: string, orders: number, units: number, stockWriteOffs: number, unitsWrittenOff: number, revenue: { formatted: string }, products: Array<{ productId: string, units: number, revenue: { formatted: string } }> } };

export type OutboxQueryVariables = Exact<{
  orderId?: string | number | null | undefined;
  first?: number | null | undefined;
}>;


export type OutboxQuery = { outbox: Array<{ orderId: string, eventType: string, to: string, subject: string, sentAt: string }> };

export type OrderTimelineQueryVariables = Exact<{
  orderId: string | number;
}>;


export type OrderTimelineQuery = { orderTimeline: Array<{ at: string, source: string, kind: string, summary: string, eventId: string | null }> | null };

export type AdminProductFragment = { id: string, name: string, category: string, brand: string, description: string, stock: number, version: number, archived: boolean, price: { amountCents: number, formatted: string } };

export type CreateProductMutationVariables = Exact<{
  input: ProductInput;
}>;


export type CreateProductMutation = { createProduct:
    | { __typename: 'InvalidProduct', errorCode: ErrorCode, message: string }
    | { __typename: 'Product', id: string, name: string, category: string, brand: string, description: string, stock: number, version: number, archived: boolean, price: { amountCents: number, formatted: string } }
    | { __typename: 'ProductAlreadyExists', errorCode: ErrorCode, message: string }
   };

export type UpdateProductMutationVariables = Exact<{
  id: string | number;
  input: ProductUpdate;
}>;


export type UpdateProductMutation = { updateProduct:
    | { __typename: 'InvalidProduct', errorCode: ErrorCode, message: string }
    | { __typename: 'Product', id: string, name: string, category: string, brand: string, description: string, stock: number, version: number, archived: boolean, price: { amountCents: number, formatted: string } }
    | { __typename: 'ProductNotFound', errorCode: ErrorCode, message: string }
    | { __typename: 'VersionConflict', currentVersion: number, errorCode: ErrorCode, message: string }
   };

export type AdjustStockMutationVariables = Exact<{
  productId: string | number;
  delta: number;
  reason: string;
}>;


export type AdjustStockMutation = { adjustStock:
    | { __typename: 'InsufficientStock', available: number, errorCode: ErrorCode, message: string }
    | { __typename: 'InvalidProduct', errorCode: ErrorCode, message: string }
    | { __typename: 'Product', id: string, name: string, category: string, brand: string, description: string, stock: number, version: number, archived: boolean, price: { amountCents: number, formatted: string } }
    | { __typename: 'ProductNotFound', errorCode: ErrorCode, message: string }
   };

export type ArchiveProductMutationVariables = Exact<{
  id: string | number;
}>;


export type ArchiveProductMutation = { archiveProduct:
    | { __typename: 'InvalidProduct', errorCode: ErrorCode, message: string }
    | { __typename: 'Product', id: string, name: string, category: string, brand: string, description: string, stock: number, version: number, archived: boolean, price: { amountCents: number, formatted: string } }
    | { __typename: 'ProductNotFound', errorCode: ErrorCode, message: string }
   };

export type ProductHistoryQueryVariables = Exact<{
  id: string | number;
}>;


export type ProductHistoryQuery = { product: { id: string, name: string, category: string, brand: string, description: string, stock: number, version: number, archived: boolean, history: Array<{ at: string, actor: string, change: ProductChange, summary: string, stockBefore: number | null, stockAfter: number | null, reason: string | null }> | null, price: { amountCents: number, formatted: string } } | null };

export type ProductsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  category?: string | null | undefined;
}>;


export type ProductsQuery = { products: { edges: Array<{ node: { id: string, name: string, category: string, brand: string, stock: number, inStock: boolean, price: { amountCents: number, formatted: string } } }>, pageInfo: { hasPreviousPage: boolean, hasNextPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type ProductQueryVariables = Exact<{
  id: string | number;
}>;


export type ProductQuery = { product: { id: string, name: string, category: string, brand: string, description: string, stock: number, inStock: boolean, lowStock: boolean, price: { amountCents: number, currency: string, formatted: string } } | null };

export type PlaceOrderMutationVariables = Exact<{
  input: CreateOrderInput;
}>;


export type PlaceOrderMutation = { createOrder:
    | { __typename: 'IdempotencyKeyReused', errorCode: ErrorCode, message: string }
    | { __typename: 'InsufficientStock', errorCode: ErrorCode, message: string, productId: string, available: number }
    | { __typename: 'InvalidOrder', errorCode: ErrorCode, message: string, field: string, reason: string }
    | { __typename: 'Order', id: string, status: OrderStatus, itemCount: number, total: { formatted: string } }
    | { __typename: 'ProductNotFound', errorCode: ErrorCode, message: string }
    | { __typename: 'ProductUnavailable', errorCode: ErrorCode, message: string }
   };

export type OrderStatusQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderStatusQuery = { order: { id: string, status: OrderStatus, statusReason: string | null, updatedAt: string, total: { formatted: string }, fraudAssessment: { score: number, decision: FraudDecision, reasons: Array<string> } | null, history: Array<{ at: string, actor: string, change: OrderChange, summary: string }> } | null };

export type CustomerOrdersQueryVariables = Exact<{
  customerId?: string | number | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type CustomerOrdersQuery = { customerOrders: { edges: Array<{ node: { id: string, status: OrderStatus, createdAt: string, itemCount: number, total: { formatted: string } } }>, pageInfo: { hasPreviousPage: boolean, hasNextPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type OrderUpdatesSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type OrderUpdatesSubscription = { orderUpdated: { id: string, status: OrderStatus, statusReason: string | null, updatedAt: string, fraudAssessment: { score: number, decision: FraudDecision } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AdminProductFragmentDoc = new TypedDocumentString(`
    fragment AdminProduct on Product {
  id
  name
  category
  brand
  description
  stock
  version
  archived
  price {
    amountCents
    formatted
  }
}
    `, {"fragmentName":"AdminProduct"}) as unknown as TypedDocumentString<AdminProductFragment, unknown>;
export const ShipOrderDocument = new TypedDocumentString(`
    mutation ShipOrder($orderId: ID!) {
  shipOrder(orderId: $orderId) {
    __typename
    ... on Order {
      id
      status
    }
    ... on ErrorResult {
      errorCode
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ShipOrderMutation, ShipOrderMutationVariables>;
export const CancelOrderDocument = new TypedDocumentString(`
    mutation CancelOrder($orderId: ID!, $reason: String) {
  cancelOrder(orderId: $orderId, reason: $reason) {
    __typename
    ... on Order {
      id
      status
      statusReason
    }
    ... on ErrorResult {
      errorCode
      message
    }
  }
}
    `) as unknown as TypedDocumentString<CancelOrderMutation, CancelOrderMutationVariables>;
export const DailySalesDocument = new TypedDocumentString(`
    query DailySales($day: String) {
  dailySales(day: $day) {
    day
    orders
    units
    revenue {
      formatted
    }
    products {
      productId
      units
      revenue {
        formatted
      }
    }
    stockWriteOffs
    unitsWrittenOff
  }
}
    `) as unknown as TypedDocumentString<DailySalesQuery, DailySalesQueryVariables>;
export const OutboxDocument = new TypedDocumentString(`
    query Outbox($orderId: ID, $first: Int) {
  outbox(orderId: $orderId, first: $first) {
    orderId
    eventType
    to
    subject
    sentAt
  }
}
    `) as unknown as TypedDocumentString<OutboxQuery, OutboxQueryVariables>;
export const OrderTimelineDocument = new TypedDocumentString(`
    query OrderTimeline($orderId: ID!) {
  orderTimeline(orderId: $orderId) {
    at
    source
    kind
    summary
    eventId
  }
}
    `) as unknown as TypedDocumentString<OrderTimelineQuery, OrderTimelineQueryVariables>;
export const CreateProductDocument = new TypedDocumentString(`
    mutation CreateProduct($input: ProductInput!) {
  createProduct(input: $input) {
    __typename
    ...AdminProduct
    ... on ErrorResult {
      errorCode
      message
    }
  }
}
    fragment AdminProduct on Product {
  id
  name
  category
  brand
  description
  stock
  version
  archived
  price {
    amountCents
    formatted
  }
}`) as unknown as TypedDocumentString<CreateProductMutation, CreateProductMutationVariables>;
export const UpdateProductDocument = new TypedDocumentString(`
    mutation UpdateProduct($id: ID!, $input: ProductUpdate!) {
  updateProduct(id: $id, input: $input) {
    __typename
    ...AdminProduct
    ... on VersionConflict {
      currentVersion
    }
    ... on ErrorResult {
      errorCode
      message
    }
  }
}
    fragment AdminProduct on Product {
  id
  name
  category
  brand
  description
  stock
  version
  archived
  price {
    amountCents
    formatted
  }
}`) as unknown as TypedDocumentString<UpdateProductMutation, UpdateProductMutationVariables>;
export const AdjustStockDocument = new TypedDocumentString(`
    mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String!) {
  adjustStock(productId: $productId, delta: $delta, reason: $reason) {
    __typename
    ...AdminProduct
    ... on InsufficientStock {
      available
    }
    ... on ErrorResult {
      errorCode
      message
    }
  }
}
    fragment AdminProduct on Product {
  id
  name
  category
  brand
  description
  stock
  version
  archived
  price {
    amountCents
    formatted
  }
}`) as unknown as TypedDocumentString<AdjustStockMutation, AdjustStockMutationVariables>;
export const ArchiveProductDocument = new TypedDocumentString(`
    mutation ArchiveProduct($id: ID!) {
  archiveProduct(id: $id) {
    __typename
    ...AdminProduct
    ... on ErrorResult {
      errorCode
      message
    }
  }
}
    fragment AdminProduct on Product {
  id
  name
  category
  brand
  description
  stock
  version
  archived
  price {
    amountCents
    formatted
  }
}`) as unknown as TypedDocumentString<ArchiveProductMutation, ArchiveProductMutationVariables>;
export const ProductHistoryDocument = new TypedDocumentString(`
    query ProductHistory($id: ID!) {
  product(id: $id) {
    ...AdminProduct
    history {
      at
      actor
      change
      summary
      stockBefore
      stockAfter
      reason
    }
  }
}
    fragment AdminProduct on Product {
  id
  name
  category
  brand
  description
  stock
  version
  archived
  price {
    amountCents
    formatted
  }
}`) as unknown as TypedDocumentString<ProductHistoryQuery, ProductHistoryQueryVariables>;
export const ProductsDocument = new TypedDocumentString(`
    query Products($first: Int, $after: String, $last: Int, $before: String, $category: String) {
  products(
    first: $first
    after: $after
    last: $last
    before: $before
    category: $category
  ) {
    edges {
      node {
        id
        name
        category
        brand
        stock
        inStock
        price {
          amountCents
          formatted
        }
      }
    }
    pageInfo {
      hasPreviousPage
      hasNextPage
      startCursor
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ProductsQuery, ProductsQueryVariables>;
export const ProductDocument = new TypedDocumentString(`
    query Product($id: ID!) {
  product(id: $id) {
    id
    name
    category
    brand
    description
    stock
    inStock
    lowStock
    price {
      amountCents
      currency
      formatted
    }
  }
}
    `) as unknown as TypedDocumentString<ProductQuery, ProductQueryVariables>;
export const PlaceOrderDocument = new TypedDocumentString(`
    mutation PlaceOrder($input: CreateOrderInput!) {
  createOrder(input: $input) {
    __typename
    ... on Order {
      id
      status
      itemCount
      total {
        formatted
      }
    }
    ... on ErrorResult {
      errorCode
      message
    }
    ... on InsufficientStock {
      productId
      available
    }
    ... on InvalidOrder {
      field
      reason
    }
  }
}
    `) as unknown as TypedDocumentString<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const OrderStatusDocument = new TypedDocumentString(`
    query OrderStatus($id: ID!) {
  order(id: $id) {
    id
    status
    statusReason
    updatedAt
    total {
      formatted
    }
    fraudAssessment {
      score
      decision
      reasons
    }
    history {
      at
      actor
      change
      summary
    }
  }
}
    `) as unknown as TypedDocumentString<OrderStatusQuery, OrderStatusQueryVariables>;
export const CustomerOrdersDocument = new TypedDocumentString(`
    query CustomerOrders($customerId: ID, $first: Int, $after: String, $last: Int, $before: String) {
  customerOrders(
    customerId: $customerId
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    edges {
      node {
        id
        status
        createdAt
        itemCount
        total {
          formatted
        }
      }
    }
    pageInfo {
      hasPreviousPage
      hasNextPage
      startCursor
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<CustomerOrdersQuery, CustomerOrdersQueryVariables>;
export const OrderUpdatesDocument = new TypedDocumentString(`
    subscription OrderUpdates($id: ID!) {
  orderUpdated(orderId: $id) {
    id
    status
    statusReason
    updatedAt
    fraudAssessment {
      score
      decision
    }
  }
}
    `) as unknown as TypedDocumentString<OrderUpdatesSubscription, OrderUpdatesSubscriptionVariables>;