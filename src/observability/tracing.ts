import { context, type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { randomText } from '../random.js';

/**
 * OpenTelemetry traces, built only when OTEL_EXPORTER_OTLP_ENDPOINT is set. Without it nothing here is
 * loaded or called: no tracer, no context manager, no wrapper around the database, Redis, argon2 or SMTP.
 * That matters beyond the spans themselves: context propagation needs an AsyncLocalStorage, and on Node 20
 * the first one entered turns promise hooks on for the whole process (see db/sql.ts `transaction`).
 *
 * The provider is this app's own (tests build several apps in a process), and exports over OTLP/HTTP in the
 * protocol OTEL_EXPORTER_OTLP_PROTOCOL names. The SDK reads the other standard variables itself:
 * OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _COMPRESSION, OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*,
 * OTEL_RESOURCE_ATTRIBUTES. A client's `traceparent` is not followed: a public API does not let its callers
 * choose its trace ids or its sampling.
 */
export interface Tracing {
  tracer: Tracer;
  /** Starts the span of one HTTP request, the root of its trace. */
  startRequest(name: string, attributes: Record<string, string>): { span: Span; context: Context; traceId: string };
  /** Runs `work` with `ctx` active, so the spans it starts are that request's children. */
  within<T>(ctx: Context, work: () => T): T;
  /**
   * A span around `work`, a child of the request's span while that one records; `root`: a trace of its own
   * (background work such as a mail send). Outside a recorded request (sampled out, or no request) it only runs `work`.
   */
  inSpan<T>(
    name: string,
    kind: SpanKind,
    attributes: Record<string, string | number>,
    work: () => Promise<T>,
    options?: { root?: boolean },
  ): Promise<T>;
  /** Whether a recorded span is active: child spans are made only then, so no work outside a sampled request leaves orphans. */
  recording(): boolean;
  /** The request's span (the active one), to name it once the operation is known. */
  activeSpan(): Span | undefined;
  /** Sends what is buffered and stops. */
  close(): Promise<void>;
}

export async function createTracing(config: Config['tracing'], log: Logger): Promise<Tracing | null> {
  if (!config) return null;
  const [{ BasicTracerProvider, BatchSpanProcessor }, { AsyncLocalStorageContextManager }, resources, exporters] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/resources'),
      config.protocol === 'http/json'
        ? import('@opentelemetry/exporter-trace-otlp-http')
        : import('@opentelemetry/exporter-trace-otlp-proto'),
    ]);
  // The spec's rule for the generic endpoint: the signal's path is appended to it.
  const url = new URL('v1/traces', config.endpoint.endsWith('/') ? config.endpoint : `${config.endpoint}/`).href;
  const exporter = new exporters.OTLPTraceExporter({ url });
  const resource = resources
    .resourceFromAttributes({ 'service.name': config.serviceName })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporter)],
    // Ids from the CSPRNG pool every token draws from: the SDK's default builds them from Math.random a byte at
    // a time, which cost twice as much per request, sampled or not (every request gets a trace id).
    idGenerator: { generateTraceId: () => randomText(16, 'hex'), generateSpanId: () => randomText(8, 'hex') },
  });
  // The context manager is process-wide by nature; the first app that traces installs it, later ones reuse it.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracer = provider.getTracer('tollgate');
  const recording = () => trace.getActiveSpan()?.isRecording() ?? false;
  log.info({ endpoint: url, protocol: config.protocol }, 'tracing: spans are exported over OTLP/HTTP');

  return {
    tracer,
    startRequest(name, attributes) {
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
      // Attributes only on a span that records: the SDK sanitises what it is given, sampled or not.
      if (span.isRecording()) span.setAttributes(attributes);
      return { span, context: trace.setSpan(ROOT_CONTEXT, span), traceId: span.spanContext().traceId };
    },
    within: (ctx, work) => context.with(ctx, work),
    inSpan(name, kind, attributes, work, { root = false } = {}) {
      if (!root && !recording()) return work();
      return tracer.startActiveSpan(name, { kind, attributes, root }, (span) =>
        work().then(
          (result) => {
            span.end();
            return result;
          },
          (error: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'failed' });
            span.end();
            throw error;
          },
        ),
      );
    },
    recording,
    activeSpan: () => trace.getActiveSpan(),
    close: () => provider.shutdown(),
  };
}

export { SpanKind, SpanStatusCode };
