import { Duration } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface OperationsProps {
  readonly api: HttpApi;
  readonly apiFunction: IFunction;
  /** The function behind the WebSocket API (GraphQL subscriptions). */
  readonly websocketFunction: IFunction;
  readonly consumers: Record<string, IFunction>;
  readonly streamConsumer: IFunction;
  /** Every queue whose messages mean something failed: DLQs and on-failure destinations. */
  readonly deadLetterQueues: Record<string, IQueue>;
  readonly alarmTopic: ITopic;
}

/** Thresholds of the alarms; each says what "something is wrong" means here. */
export const ALARM_THRESHOLDS = {
  apiP99LatencyMs: 1000,
  apiServerErrors: 1,
  consumerErrors: 1,
  streamIteratorAgeMs: 60_000,
  deadLetterMessages: 1,
  /** An event owed by an order for this long means the stream is not delivering. */
  oldestOwedEventSeconds: 600,
} as const;

/** Alarms on what needs a person, and one dashboard of the whole flow. */
export class Operations extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const action = new SnsAction(props.alarmTopic);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    const api5xx = props.api.metricServerError({ period: Duration.minutes(1), statistic: "Sum" });
    const apiP99 = props.api.metricLatency({ period: Duration.minutes(5), statistic: "p99" });
    alarm("ApiServerErrors", api5xx, ALARM_THRESHOLDS.apiServerErrors, "The API answered 5xx.");
    alarm(
      "ApiLatencyP99",
      apiP99,
      ALARM_THRESHOLDS.apiP99LatencyMs,
      "API p99 latency is over 1 s.",
    );
    alarm(
      "ApiFunctionErrors",
      props.apiFunction.metricErrors({ period: Duration.minutes(1) }),
      ALARM_THRESHOLDS.consumerErrors,
      "The api function failed.",
    );
    alarm(
      "WebSocketFunctionErrors",
      props.websocketFunction.metricErrors({ period: Duration.minutes(1) }),
      ALARM_THRESHOLDS.consumerErrors,
      "The WebSocket function failed (a connection's message went unanswered).",
    );

    for (const [name, fn] of Object.entries(props.consumers)) {
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(1) }),
        ALARM_THRESHOLDS.consumerErrors,
        `The ${name} consumer failed (a whole invocation, not one record).`,
      );
    }
    const iteratorAge = new Metric({
      namespace: "AWS/Lambda",
      metricName: "IteratorAge",
      dimensionsMap: { FunctionName: props.streamConsumer.functionName },
      statistic: "Maximum",
      period: Duration.minutes(1),
    });
    alarm(
      "StreamIteratorAge",
      iteratorAge,
      ALARM_THRESHOLDS.streamIteratorAgeMs,
      "The stream processor is more than a minute behind the orders table.",
    );
    // Reported by the reconciler on each run (Powertools metrics, EMF).
    const oldestOwed = new Metric({
      namespace: "Shop",
      metricName: "OldestOwedEventAge",
      dimensionsMap: { service: "shop-reconciler" },
      statistic: "Maximum",
      period: Duration.minutes(5),
    });
    alarm(
      "OwedEventsTooOld",
      oldestOwed,
      ALARM_THRESHOLDS.oldestOwedEventSeconds,
      "An order has owed an event for over 10 minutes: the orders stream is not delivering.",
    );
    const dlqDepths: IMetric[] = [];
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: "Maximum",
      });
      dlqDepths.push(depth);
      alarm(
        `${name}Depth`,
        depth,
        ALARM_THRESHOLDS.deadLetterMessages,
        `Messages are waiting in ${name}.`,
      );
    }

    new Dashboard(this, "Dashboard", {
      dashboardName: `${scope.node.id}-shop`,
      widgets: [
        [
          new GraphWidget({
            title: "API requests and 5xx",
            left: [props.api.metricCount(), api5xx],
            width: 12,
          }),
          new GraphWidget({ title: "API latency p99 (ms)", left: [apiP99], width: 12 }),
        ],
        [
          new GraphWidget({
            title: "Consumer errors",
            left: Object.values(props.consumers).map((fn) => fn.metricErrors()),
            width: 12,
          }),
          new GraphWidget({
            title: "Consumer duration p99 (ms)",
            left: Object.values(props.consumers).map((fn) =>
              fn.metricDuration({ statistic: "p99" }),
            ),
            width: 12,
          }),
        ],
        [
          new GraphWidget({ title: "Messages in DLQs", left: dlqDepths, width: 12 }),
          new GraphWidget({ title: "Stream iterator age (ms)", left: [iteratorAge], width: 12 }),
        ],
      ],
    });
  }
}
