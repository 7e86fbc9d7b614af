import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";

/**
 * Runs a custom resource handler on a CloudFormation request and returns what it PUT to the
 * response URL, which here is a server on 127.0.0.1 standing in for CloudFormation's S3 URL.
 */
export async function receiveCustomResourceResponse(
  invoke: (event: CloudFormationCustomResourceEvent) => Promise<unknown>,
  requestType: "Create" | "Update" | "Delete" = "Create",
): Promise<Record<string, unknown>> {
  let received: (body: Record<string, unknown>) => void = () => {};
  const response = new Promise<Record<string, unknown>>((resolve) => {
    received = resolve;
  });
  const server = createServer((request, reply) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      reply.writeHead(request.method === "PUT" ? 200 : 405).end();
      received(JSON.parse(body) as Record<string, unknown>);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const base = {
      ServiceToken: "arn:aws:lambda:us-east-1:000000000000:function:loader",
      ResponseURL: `http://127.0.0.1:${port}/response`,
      StackId: "arn:aws:cloudformation:us-east-1:000000000000:stack/Shop/1",
      RequestId: "request-1",
      LogicalResourceId: "SampleCatalog",
      ResourceType: "Custom::SampleCatalog",
      ResourceProperties: { ServiceToken: "loader", CatalogDigest: "digest" },
    };
    const event = (
      requestType === "Create"
        ? { ...base, RequestType: "Create" }
        : {
            ...base,
            RequestType: requestType,
            PhysicalResourceId: "sample-catalog",
            OldResourceProperties: base.ResourceProperties,
          }
    ) as CloudFormationCustomResourceEvent;
    await invoke(event);
    return await response;
  } finally {
    server.close();
  }
}
