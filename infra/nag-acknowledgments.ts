import { type CfnResource, Token, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { ShopStack } from "./shop-stack";
import { type AccessSpec, apiFunction, type ConsumerName, consumers } from "./topology";

/** A cdk-nag finding accepted on purpose, and why. */
export interface NagAcknowledgment {
  readonly id: string;
  readonly reason: string;
}

const acknowledge = (construct: IConstruct, ...acknowledgments: NagAcknowledgment[]) => {
  for (const acknowledgment of acknowledgments)
    Validations.of(construct).acknowledge(acknowledgment);
};

/** Every function's findings: what the platform requires, or what the design decided. */
export const FUNCTION_ACKNOWLEDGMENTS: readonly NagAcknowledgment[] = [
  {
    id: "AwsSolutions::AwsSolutions-L1",
    reason:
      "Node.js 22 is pinned on purpose: it is the runtime the tests and the local stack run on.",
  },
  {
    id: "Serverless::Serverless-LambdaLatestVersion",
    reason:
      "Node.js 22 is pinned on purpose: it is the runtime the tests and the local stack run on.",
  },
  {
    id: "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    reason: "The basic execution policy grants only writing the function's own CloudWatch logs.",
  },
  {
    id: "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
    reason:
      "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource, so tracing needs '*'.",
  },
  {
    id: "Serverless::Serverless-LambdaDLQ",
    reason:
      "No function is invoked asynchronously without a failure target: the api and the catalog loader " +
      "(a custom resource CloudFormation waits on) are invoked synchronously, the SQS " +
      "and stream consumers fail into their queues' DLQs and the stream's on-failure queue, and the " +
      "analytics subscriber has an on-failure destination plus its subscription's DLQ.",
  },
];

/** The cdk-nag findings of the stack that are accepted, each with its reason. */
export function acknowledgeNagFindings(stack: ShopStack): void {
  const everyFunction = [
    ...Object.values(stack.functions),
    ...(stack.catalogLoader ? [stack.catalogLoader] : []),
  ];
  for (const fn of everyFunction) acknowledge(fn, ...FUNCTION_ACKNOWLEDGMENTS);

  // Every function the topology lets publish to the topic.
  const publishers = [
    ...(apiFunction.access.publish ? [stack.functions.api] : []),
    ...(Object.keys(consumers) as ConsumerName[])
      .filter((name) => (consumers[name].access as AccessSpec).publish)
      .map((name) => stack.functions[name]),
    ...(stack.catalogLoader ? [stack.catalogLoader] : []),
  ];
  for (const publisher of publishers) {
    acknowledge(publisher, {
      id: "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
      reason:
        "Publishing to the KMS-encrypted topic needs data keys; CDK's grantPublish scopes it to that key.",
    });
  }

  // Every consumer fed by an SQS queue.
  const sqsConsumers = (Object.keys(consumers) as ConsumerName[]).filter(
    (name) => consumers[name].source.kind === "sqs",
  );
  for (const name of sqsConsumers) {
    acknowledge(stack.functions[name], {
      id: "Serverless::Serverless-LambdaEventSourceMappingDestination",
      reason:
        "SQS event source mappings take no on-failure destination; failed messages go to the queue's DLQ " +
        "through its redrive policy (maxReceiveCount 3).",
    });
  }

  // Clients authenticate inside the protocol: graphql-transport-ws sends the token in
  // connection_init, after the socket is open, where the function verifies it.
  for (const route of ["$connect", "$disconnect", "$default"]) {
    acknowledge(stack.webSocketApi.node.findChild(`${route}-Route`), {
      id: "AwsSolutions::AwsSolutions-APIG4",
      reason:
        "GraphQL over WebSocket (graphql-transport-ws) carries the token in its connection_init message, " +
        "after the socket opens: the function verifies it there and closes the connection (4403) without " +
        "a valid one; a subscription is accepted only on an initialised connection (4401 otherwise).",
    });
  }
  // cdk-nag names the resource as the template has it: the stack's region and account when
  // it is deployed to a known environment, their placeholders otherwise.
  const known = (value: string, placeholder: string) =>
    Token.isUnresolved(value) ? placeholder : value;
  const where = `arn:${known(stack.partition, "<AWS::Partition>")}:execute-api:${known(stack.region, "<AWS::Region>")}:${known(stack.account, "<AWS::AccountId>")}`;
  const webSocketApi = stack.getLogicalId(stack.webSocketApi.node.defaultChild as CfnResource);
  for (const fn of [stack.functions.websocket, stack.functions.liveUpdates]) {
    acknowledge(fn, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${where}:<${webSocketApi}>/${stack.webSocketStage.stageName}/*/@connections/*]`,
      reason:
        "Replying to a WebSocket client is a call on its connection id, which exists only at run time: " +
        "the grant is the stage's @connections, nothing wider (WebSocketStage.grantManagementApiAccess).",
    });
  }

  for (const queue of [
    ...Object.values(stack.deadLetterQueues),
    ...Object.values(stack.failureQueues),
  ]) {
    acknowledge(queue, {
      id: "Serverless::Serverless-SQSRedrivePolicy",
      reason: "This queue is itself where failed messages end up; a DLQ of a DLQ would hide them.",
    });
  }
  for (const queue of Object.values(stack.failureQueues)) {
    acknowledge(queue, {
      id: "AwsSolutions::AwsSolutions-SQS3",
      reason:
        "This queue is a dead-letter target (the analytics subscription's DLQ and on-failure destination, " +
        "or the orders stream's on-failure destination), which cdk-nag cannot see through a redrive policy.",
    });
  }

  acknowledge(stack.alarmTopic, {
    id: "Serverless::Serverless-SNSRedrivePolicy",
    reason:
      "Alarm notifications go to people by email; a dead-letter queue for them would be read by no one.",
  });

  acknowledge(
    stack.distribution,
    {
      id: "AwsSolutions::AwsSolutions-CFR4",
      reason:
        "The distribution uses CloudFront's own certificate, which cannot set a minimum TLS version; with a " +
        "custom domain and its certificate, set minimumProtocolVersion to TLSv1.2_2021.",
    },
    {
      id: "AwsSolutions::AwsSolutions-CFR1",
      reason: "The shop sells wherever its customers are; no country is excluded.",
    },
  );
  if (stack.edgeLogs) {
    acknowledge(stack.edgeLogs, {
      id: "AwsSolutions::AwsSolutions-S1",
      reason:
        "This bucket holds the distribution's access logs; logging access to the log bucket itself would recurse.",
    });
  }
  acknowledge(stack.identity.userPool, {
    id: "AwsSolutions::AwsSolutions-COG2",
    reason:
      "MFA is available to every user (TOTP) and expected of admins, but not required: a shop's customers " +
      "would not sign up through an authenticator app. Compromised-credential and risky sign-in protection " +
      "(advanced security, enforced) covers customer accounts.",
  });

  // Exactly the routes that serve anonymous callers by design; every other route has the
  // JWT authorizer.
  for (const route of stack.openRoutes) {
    acknowledge(route, {
      id: "AwsSolutions::AwsSolutions-APIG4",
      reason:
        "This route serves anonymous callers by design (the catalog, health, a public description of the " +
        "REST routes at /openapi.json, and /graphql, where anonymous " +
        "catalog reads and signed-in order operations share one route), so an authorizer cannot be required; " +
        "the api function verifies the bearer token itself and enforces each operation's access rule.",
    });
  }
}
