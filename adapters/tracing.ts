import { Tracer } from "@aws-lambda-powertools/tracer";

/**
 * X-Ray tracing with Powertools Tracer: one tracer per process, as Powertools has it (a
 * Lambda container runs one function). Tracer switches itself off outside Lambda (and with
 * POWERTOOLS_TRACE_ENABLED=false), and then every helper here only runs the work given to it:
 * locally nothing is recorded, sent or warned about.
 */
let tracer: Tracer | undefined;

export function functionTracer(): Tracer {
  tracer ??= new Tracer();
  return tracer;
}

/**
 * An AWS SDK client whose calls are recorded as subsegments (DynamoDB, SNS, SES...), so the
 * service map shows what each function calls.
 */
export function traced<T>(client: T): T {
  const tracer = functionTracer();
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}

/** X-Ray annotations are indexed for search; their keys take letters, digits and underscores. */
export type Annotations = Readonly<Record<string, string | undefined>>;

/**
 * Runs one invocation in a `## <handler>` subsegment of the function's segment, annotated
 * with the cold start and the service, with an error recorded on it: what Powertools'
 * `captureLambdaHandler` does for a decorated or middy-wrapped handler.
 */
export async function tracedInvocation<T>(handlerName: string, work: () => Promise<T>): Promise<T> {
  const tracer = functionTracer();
  if (!tracer.isTracingEnabled()) return work();
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${handlerName}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await work();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
  }
}

/**
 * Runs one record's work (one event, one stream record) in a subsegment of its own with the
 * record's annotations (its order id and event type), so X-Ray finds every trace an order
 * went through. The records of a batch are handled side by side, each in its own.
 */
export async function tracedRecord<T>(
  name: string,
  annotations: Annotations,
  work: () => Promise<T>,
): Promise<T> {
  const tracer = functionTracer();
  if (!tracer.isTracingEnabled()) return work();
  return (await tracer.provider.captureAsyncFunc(name, async (subsegment) => {
    for (const [key, value] of Object.entries(annotations)) {
      if (value !== undefined) subsegment?.addAnnotation(key, value);
    }
    try {
      return await work();
    } catch (error) {
      subsegment?.addError(error as Error);
      throw error;
    } finally {
      subsegment?.close();
    }
  })) as T;
}

/** Adds annotations to the current (sub)segment: what the api learns as it goes (an order id). */
export function annotate(annotations: Annotations): void {
  const tracer = functionTracer();
  if (!tracer.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(annotations)) {
    if (value !== undefined) tracer.putAnnotation(key, value);
  }
}
