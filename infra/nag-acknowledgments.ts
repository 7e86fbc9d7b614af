import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { ShopStack } from "./shop-stack";

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
      "No function is invoked asynchronously without a failure target: the api is synchronous, the SQS " +
      "and stream consumers fail into their queues' DLQs and the stream's on-failure queue, and the " +
      "analytics subscriber has an on-failure destination plus its subscription's DLQ.",
  },
];

/** The cdk-nag findings of the stack that are accepted, each with its reason. */
export function acknowledgeNagFindings(stack: ShopStack): void {
  for (const fn of Object.values(stack.functions)) acknowledge(fn, ...FUNCTION_ACKNOWLEDGMENTS);

  for (const name of ["api", "streamProcessor"] as const) {
    acknowledge(stack.functions[name], {
      id: "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
      reason:
        "Publishing to the KMS-encrypted topic needs data keys; CDK's grantPublish scopes it to that key.",
    });
  }

  for (const name of ["fraud", "inventory", "email"] as const) {
    acknowledge(stack.functions[name], {
      id: "Serverless::Serverless-LambdaEventSourceMappingDestination",
      reason:
        "SQS event source mappings take no on-failure destination; failed messages go to the queue's DLQ " +
        "through its redrive policy (maxReceiveCount 3).",
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

  acknowledge(stack.api, {
    id: "AwsSolutions::AwsSolutions-APIG4",
    reason:
      "The catalog is public and the REST routes keep the old API's contract, which had no authorization; " +
      "identifying callers (a JWT authorizer, DESIGN section 8) is separate work.",
  });
}
