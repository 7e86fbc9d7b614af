import type { ApolloServerPlugin } from "@apollo/server";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import {
  DirectiveLocation,
  type DocumentNode,
  GraphQLDirective,
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLSchema,
  GraphQLString,
  getDirectiveValues,
  type ValidationContext,
} from "graphql";
import { type ComplexityEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import { MAX_PAGE_SIZE, pageSize } from "../core/shared/page";

/**
 * What one GraphQL request may ask for. Each is checked before any resolver runs and
 * answered 400 with a message naming the limit and its value.
 */
export const REQUEST_LIMITS = {
  /** Lexical tokens in the document (parsing stops there): a real query has a few hundred. */
  maxTokens: 2000,
  /** Nesting of fields (introspection aside). */
  maxDepth: 8,
  /** Aliased fields: aliases are how one request asks for the same list many times. */
  maxAliases: 10,
  /** The request's cost (see `@cost` in the schema): list pages cost their `first` or `last`. */
  maxCost: 2000,
} as const;

/** The schema's `@cost(value, multipliers)`, as the estimator reads it. */
const costDirective = new GraphQLDirective({
  name: "cost",
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    value: { type: new GraphQLNonNull(GraphQLInt), defaultValue: 1 },
    multipliers: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
  },
});

/** The arguments that size a page, either way it is read. */
const PAGE_SIZE_ARGUMENTS = new Set(["first", "last"]);

/**
 * A field's cost: its `@cost` value plus, for a page, its selection's cost times the page
 * size the server will really use (`first` or `last`, clamped as the services clamp them;
 * the default size when neither is given). Both at once is refused when it runs; priced
 * here, the larger counts.
 */
const costEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.astNode) return undefined;
  const cost = getDirectiveValues(costDirective, field.astNode);
  if (!cost) return undefined;
  const names = (cost.multipliers as string[] | undefined) ?? [];
  const pageSizes = names
    .filter((name) => PAGE_SIZE_ARGUMENTS.has(name))
    .map((name) => args[name])
    .filter((value): value is number => typeof value === "number")
    .map(pageSize);
  const isPage = names.some((name) => PAGE_SIZE_ARGUMENTS.has(name));
  const pageMultiplier = !isPage ? 1 : pageSizes.length > 0 ? Math.max(...pageSizes) : pageSize();
  const multiplier = names
    .filter((name) => !PAGE_SIZE_ARGUMENTS.has(name))
    .reduce((product, name) => {
      const value = args[name];
      return product * Math.min(typeof value === "number" ? value : 1, MAX_PAGE_SIZE);
    }, pageMultiplier);
  return (Number(cost.value) + childComplexity) * multiplier;
};

const estimators = [costEstimator, simpleEstimator({ defaultComplexity: 1 })];

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } },
  });
}

/** Reports a rule's refusal as a validation error (400), instead of throwing out of validation. */
const report = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => context?.reportError(error),
  ],
};

/** Depth and alias limits, as validation rules (answered 400 GRAPHQL_VALIDATION_FAILED). */
export const limitRules = [
  maxDepthRule({ n: REQUEST_LIMITS.maxDepth, ignoreIntrospection: true, ...report }),
  maxAliasesRule({ n: REQUEST_LIMITS.maxAliases, ...report }),
];

/**
 * Costs already priced, per parsed document. Apollo hands every request with the same text
 * the same document (from its document cache), and a cost depends only on the document,
 * the operation and the variables, so a repeated request is priced once, not walked again.
 * Bounded: at most this many variable sets per document, each of a small size.
 */
const pricedCosts = new WeakMap<DocumentNode, Map<string, number>>();
const PRICED_PER_DOCUMENT = 64;
const MAX_PRICED_KEY_LENGTH = 1024;

function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number {
  const key = `${operationName ?? ""} ${JSON.stringify(variables)}`;
  const costs = pricedCosts.get(document);
  const known = costs?.get(key);
  if (known !== undefined) return known;
  const cost = getComplexity({
    schema,
    query: document,
    variables,
    ...(operationName ? { operationName } : {}),
    estimators,
  });
  if (key.length <= MAX_PRICED_KEY_LENGTH) {
    if (!costs) pricedCosts.set(document, new Map([[key, cost]]));
    else {
      if (costs.size >= PRICED_PER_DOCUMENT) costs.clear();
      costs.set(key, cost);
    }
  }
  return cost;
}

function overCost(cost: number): string {
  return `the query costs ${cost}, over the cost limit of ${REQUEST_LIMITS.maxCost}: ask for smaller pages (first or last) or fewer fields`;
}

/**
 * What is wrong with a document's cost, or undefined when it is within the limit: for
 * operations that do not go through Apollo (subscriptions over WebSocket).
 */
export function costProblem(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): string | undefined {
  const cost = costOf(schema, document, operationName, variables);
  return cost > REQUEST_LIMITS.maxCost ? overCost(cost) : undefined;
}

/** The cost limit: priced once the operation is known, with its variables, before execution. */
export const costLimitPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document, schema }) {
        let cost: number;
        try {
          cost = costOf(schema, document, request.operationName, request.variables ?? {});
        } catch {
          // The variables do not fit the operation: execution refuses it (400) before any
          // resolver runs, so there is nothing to price.
          return;
        }
        if (cost > REQUEST_LIMITS.maxCost) throw limitError(overCost(cost));
      },
    };
  },
};
