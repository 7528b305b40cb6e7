import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
};

describe('observability settings', () => {
  it('default to metrics on 127.0.0.1:9464, no tracing, a 400-day audit log', () => {
    const config = parseConfig({});
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.tracing).toBeNull();
    expect(config.audit).toEqual({ retentionDays: 400 });
    expect(config.threadPoolSize).toBe(4);
  });

  it('turn tracing on with an OTLP endpoint, http/protobuf unless told otherwise', () => {
    expect(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({
      endpoint: 'http://collector:4318',
      protocol: 'http/protobuf',
      serviceName: 'tollgate',
    });
    expect(
      parseConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'id',
      }).tracing,
    ).toMatchObject({ protocol: 'http/json', serviceName: 'id' });
    expect(parseConfig({ METRICS_ENABLED: 'false' }).metrics).toBeNull();
  });

  it('refuse metrics on the API port, grpc, a non-HTTP endpoint and a retention out of range, naming the variable', () => {
    expect(problemsOf({ PORT: '4000', METRICS_PORT: '4000' })).toMatch(/METRICS_PORT: must differ from PORT/);
    expect(problemsOf({ PORT: '4000', METRICS_PORT: '4000', METRICS_ENABLED: 'false' })).toBe('');
    expect(problemsOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported/);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' })).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(problemsOf({ AUDIT_RETENTION_DAYS: '0' })).toMatch(/AUDIT_RETENTION_DAYS/);
    expect(problemsOf({ METRICS_PORT: '70000' })).toMatch(/METRICS_PORT/);
  });
});
