/**
 * The GraphQL operations the REST compatibility routes run in-process. REST answers are
 * reshaped from these results, so the two surfaces cannot disagree.
 */

const PRODUCT_FIELDS = `
  id name category brand description stock
  price { amountCents currency }
  createdAt updatedAt`;

const ORDER_FIELDS = `
  id customerId status
  items { productId productName quantity unitPrice { amountCents } lineTotal { amountCents } }
  total { amountCents currency }
  createdAt updatedAt`;

export const LIST_PRODUCTS = `query RestListProducts($first: Int!, $after: String, $category: String) {
  products(first: $first, after: $after, category: $category) {
    edges { node { ${PRODUCT_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const GET_PRODUCT = `query RestGetProduct($id: ID!) {
  product(id: $id) { ${PRODUCT_FIELDS} }
}`;

export const CREATE_ORDER = `mutation RestCreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) {
    __typename
    ... on Order { ${ORDER_FIELDS} }
    ... on ErrorResult { errorCode message }
  }
}`;

export const CUSTOMER_ORDERS = `query RestCustomerOrders($customerId: ID!, $first: Int!) {
  customerOrders(customerId: $customerId, first: $first) {
    edges { node { ${ORDER_FIELDS} } }
  }
}`;

export interface ProductData {
  id: string;
  name: string;
  category: string;
  brand: string;
  description: string;
  stock: number;
  price: { amountCents: number; currency: string };
  createdAt: string;
  updatedAt: string;
}

export interface OrderData {
  id: string;
  customerId: string;
  status: string;
  items: {
    productId: string;
    productName: string;
    quantity: number;
    unitPrice: { amountCents: number };
    lineTotal: { amountCents: number };
  }[];
  total: { amountCents: number; currency: string };
  createdAt: string;
  updatedAt: string;
}

export interface ListProductsData {
  products: {
    edges: { node: ProductData }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export interface GetProductData {
  product: ProductData | null;
}

export interface CreateOrderData {
  createOrder:
    | ({ __typename: "Order" } & OrderData)
    | {
        __typename:
          | "InsufficientStock"
          | "ProductNotFound"
          | "InvalidOrder"
          | "IdempotencyKeyReused";
        errorCode: string;
        message: string;
      };
}

export interface CustomerOrdersData {
  customerOrders: { edges: { node: OrderData }[] };
}
