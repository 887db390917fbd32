import { Counter, Gauge, Registry, type OpenMetricsContentType } from 'prom-client';

/** A warmup's live metrics for Prometheus: blobs done by registry and outcome, bytes pushed, blobs planned. */
export class WarmupMetrics {
  readonly registry = new Registry<OpenMetricsContentType>();
  private readonly blobs: Counter<'registry' | 'outcome'>;
  private readonly bytes: Counter<'registry'>;

  constructor(planned: number) {
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.registry];
    this.blobs = new Counter({
      name: 'drtp_warmup_blobs',
      help: 'Blobs done, by registry and outcome (pushed, present: there already, failed)',
      labelNames: ['registry', 'outcome'],
      registers,
    });
    this.bytes = new Counter({
      name: 'drtp_warmup_pushed_bytes',
      help: 'Bytes pushed, by registry',
      labelNames: ['registry'],
      registers,
    });
    new Gauge({
      name: 'drtp_warmup_blobs_planned',
      help: 'Blob pushes this warmup will try (blobs times registries)',
      registers,
    }).set(planned);
  }

  /** One blob done on one registry. */
  blob(registry: string, outcome: 'pushed' | 'present' | 'failed', bytes: number): void {
    this.blobs.inc({ registry, outcome });
    if (bytes > 0) this.bytes.inc({ registry }, bytes);
  }
}
