import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import {
  buildOpenApiDocument,
  type OpenApiDocument,
  type Reference,
  type ResponseObject,
} from "../../api/openapi";
import { routeMatcher } from "../../api/route-table";
import type { ApiRequest, ApiResponse, Transport } from "./api-events";

/**
 * Checks answers against the OpenAPI document the api serves (api/openapi.ts; openapi.json
 * is the same document, committed): that the route's operation lists the status, and that
 * the content type, the body and the headers it names are as it says. The REST test suites
 * send every request through `checkedTransport`, so an answer the document does not
 * describe fails the test that received it.
 */

/** Escapes a key for a JSON pointer (RFC 6901). */
const pointerKey = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * The validators of one document. Ajv takes the whole document as a schema resource, so a
 * schema at any pointer in it is compiled with its `$ref`s to the components resolved. Every
 * body and header schema is compiled here, so a schema Ajv refuses (strict mode: an unknown
 * keyword, a mistyped type) throws at once rather than when some answer first needs it.
 */
export function openApiChecker(document: OpenApiDocument = buildOpenApiDocument()) {
  // The document's date-times carry their own pattern; the format is only a label.
  const ajv = new Ajv2020({ allErrors: true, strict: true, formats: { "date-time": true } });
  // The document's own fields are no JSON Schema keywords; Ajv meets them when it compiles
  // the document's root to resolve a pointer into it.
  ajv.addVocabulary(Object.keys(document));
  ajv.addSchema(document, "openapi.json");
  const validators = new Map<string, ValidateFunction>();
  const compile = (pointer: string) =>
    validators.set(pointer, ajv.compile({ $ref: `openapi.json#${pointer}` }));
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const [pointer, described] = responseAt(document, path, method, status, response);
        for (const type of Object.keys(described.content)) {
          compile(`${pointer}/content/${pointerKey(type)}/schema`);
        }
        for (const name of Object.keys(described.headers ?? {})) {
          compile(`${pointer}/headers/${pointerKey(name)}/schema`);
        }
      }
    }
  }
  const validatorAt = (pointer: string) => {
    const validate = validators.get(pointer);
    if (!validate) throw new Error(`no validator for openapi.json#${pointer}`);
    return validate;
  };
  const matchRoute = routeMatcher({ playground: false });

  /** What in the answer the document does not describe; empty when it describes it all. */
  function problems(request: ApiRequest, response: ApiResponse): string[] {
    const method = request.method ?? "GET";
    const route = matchRoute(method, request.path)?.route;
    const operation = route && document.paths[route.path]?.[method.toLowerCase()];
    if (!route || !operation) return ["the document describes no such operation"];

    const status = String(response.status);
    const listed = operation.responses[status];
    if (!listed) {
      const statuses = Object.keys(operation.responses).join(", ");
      return [`status ${status} is not one it lists (${statuses})`];
    }
    const [pointer, described] = responseAt(
      document,
      route.path,
      method.toLowerCase(),
      status,
      listed,
    );

    const found: string[] = [];
    const contentType = (response.headers["content-type"] ?? "").split(";")[0]?.trim();
    const media = contentType ? described.content[contentType as "application/json"] : undefined;
    if (!media) {
      found.push(
        `content-type ${contentType || "(none)"} is not ${Object.keys(described.content).join(" or ")}`,
      );
    } else if (response.json === undefined) {
      found.push(`the body is not JSON: ${JSON.stringify(response.body.slice(0, 200))}`);
    } else {
      const validate = validatorAt(`${pointer}/content/${pointerKey(contentType ?? "")}/schema`);
      if (!validate(response.json)) {
        found.push(
          `the body does not match: ${ajv.errorsText(validate.errors, { dataVar: "body" })}`,
        );
      }
    }

    for (const [name, header] of Object.entries(described.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) found.push(`the ${name} header is missing`);
        continue;
      }
      const validate = validatorAt(`${pointer}/headers/${pointerKey(name)}/schema`);
      if (!validate(value)) {
        found.push(
          `the ${name} header ${JSON.stringify(value)} does not match: ${ajv.errorsText(validate.errors, { dataVar: name })}`,
        );
      }
    }
    return found;
  }

  /** Throws, saying what did not match, unless the document describes the answer. */
  function check(request: ApiRequest, response: ApiResponse): void {
    const found = problems(request, response);
    if (found.length === 0) return;
    const query = new URLSearchParams(request.query ?? {}).toString();
    throw new Error(
      `${request.method ?? "GET"} ${request.path}${query ? `?${query}` : ""} answered ${response.status}, which openapi.json does not describe: ${found.join("; ")}`,
    );
  }

  return { problems, check };
}

/** A response of an operation, a reference followed, with the pointer to where it is. */
function responseAt(
  document: OpenApiDocument,
  path: string,
  method: string,
  status: string,
  response: ResponseObject | Reference,
): [string, ResponseObject] {
  if (!("$ref" in response)) {
    return [`/paths/${pointerKey(path)}/${method}/responses/${status}`, response];
  }
  const name = /^#\/components\/responses\/([^/]+)$/.exec(response.$ref)?.[1];
  const found = name === undefined ? undefined : document.components.responses[name];
  if (!found) throw new Error(`openapi.json has no response ${response.$ref}`);
  return [response.$ref.slice(1), found];
}

let shared: ReturnType<typeof openApiChecker> | undefined;

/** Fails unless the served document describes the answer to the request. */
export function checkResponse(request: ApiRequest, response: ApiResponse): void {
  shared ??= openApiChecker();
  shared.check(request, response);
}

/** Sends as `send` does, and fails on an answer the document does not describe. */
export function checkedTransport(send: Transport): Transport {
  return async (request) => {
    const response = await send(request);
    checkResponse(request, response);
    return response;
  };
}
