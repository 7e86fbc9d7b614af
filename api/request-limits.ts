import type { ApolloServerPlugin } from "@apollo/server";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  getDirectiveValues,
  type ValidationContext,
} from "graphql";
import { type ComplexityEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import { MAX_PAGE_SIZE, pageRequest } from "../core/shared/page";

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
  /** The request's cost (see `@cost` in the schema): list pages cost their `first`. */
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

/**
 * A field's cost: its `@cost` value plus, for a page, its selection's cost times the page
 * size the server will really use (`first`, clamped as the services clamp it).
 */
const costEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.astNode) return undefined;
  const cost = getDirectiveValues(costDirective, field.astNode);
  if (!cost) return undefined;
  const multiplier = ((cost.multipliers as string[] | undefined) ?? []).reduce((product, name) => {
    const value = args[name];
    const size =
      name === "first"
        ? pageRequest(typeof value === "number" ? value : null).first
        : typeof value === "number"
          ? value
          : 1;
    return product * Math.min(size, MAX_PAGE_SIZE);
  }, 1);
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

/** The cost limit: priced once the operation is known, with its variables, before execution. */
export const costLimitPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document, schema }) {
        let cost: number;
        try {
          cost = getComplexity({
            schema,
            query: document,
            variables: request.variables ?? {},
            ...(request.operationName ? { operationName: request.operationName } : {}),
            estimators,
          });
        } catch {
          // The variables do not fit the operation: execution refuses it (400) before any
          // resolver runs, so there is nothing to price.
          return;
        }
        if (cost > REQUEST_LIMITS.maxCost) {
          throw limitError(
            `the query costs ${cost}, over the cost limit of ${REQUEST_LIMITS.maxCost}: ask for smaller pages (first) or fewer fields`,
          );
        }
      },
    };
  },
};
