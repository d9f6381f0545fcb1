// One OpenTelemetry span per validation, when the application uses OpenTelemetry: the tracer given in the
// settings (`tracer`), else the global one from `@opentelemetry/api` when that package is installed (it is
// an optional peer dependency, looked up once, never bundled). The span carries the outcome, the error code,
// the check that refused, the HTTP status and the tenant, and never the token or anything else from it.
const SPAN_NAME = 'entra-guard.validate';
// A variable, not a literal: bundlers (wrangler, esbuild) must not try to resolve an optional package; an
// application that bundles for workers passes its tracer in the settings instead.
const OTEL_API = '@opentelemetry/api';
/** SpanStatusCode.ERROR and .OK (stable values of the OpenTelemetry API). */
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/**
 * The part of an OpenTelemetry Tracer and Span this module uses.
 * @typedef {{ startActiveSpan<T>(name: string, fn: (span: OtelSpan) => T): T }} Tracer
 * @typedef {{ setAttribute(key: string, value: string | number): unknown, setStatus(status: { code: number, message?: string }): unknown, end(): void }} OtelSpan
 */

/** @type {Promise<Tracer | null> | undefined} */
let globalTracer;

/** @returns {Promise<Tracer | null>} the global tracer, or null without @opentelemetry/api */
function loadGlobalTracer() {
  globalTracer ??= import(OTEL_API).then(
    (api) => /** @type {Tracer} */ (api.trace.getTracer('entra-guard')),
    () => null,
  );
  return globalTracer;
}

/**
 * What the guard records on a span.
 * @typedef {object} ValidationSpan
 * @property {(tenantId: string | null) => void} tenant
 * @property {() => void} accepted
 * @property {(error: { code: string, check: string, status: number }) => void} refused
 */

/** @type {ValidationSpan} */
const NO_SPAN = { tenant() {}, accepted() {}, refused() {} };

/**
 * Runs `fn` inside a validation span (or without one when there is no tracer).
 * @template T
 * @param {Tracer | undefined} tracer
 * @param {(span: ValidationSpan) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withSpan(tracer, fn) {
  const active = tracer ?? (await loadGlobalTracer());
  if (!active) return fn(NO_SPAN);
  return active.startActiveSpan(SPAN_NAME, async (span) => {
    /** @type {ValidationSpan} */
    const recorder = {
      tenant(tenantId) {
        if (tenantId) span.setAttribute('entra_guard.tenant_id', tenantId);
      },
      accepted() {
        span.setAttribute('entra_guard.outcome', 'accepted');
        span.setStatus({ code: STATUS_OK });
      },
      refused(error) {
        span.setAttribute('entra_guard.outcome', 'refused');
        span.setAttribute('entra_guard.code', error.code);
        span.setAttribute('entra_guard.check', error.check);
        span.setAttribute('entra_guard.status', error.status);
        span.setStatus({ code: STATUS_ERROR, message: error.code });
      },
    };
    try {
      return await fn(recorder);
    } finally {
      span.end();
    }
  });
}
