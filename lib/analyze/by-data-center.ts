import type { FilePartial } from './pass.js';
import { AnalysisTotals, type Analysis, type ChartData } from './summary.js';

/**
 * Totals per data center, and overall. While the partials come from one data center, its totals are the
 * overall totals too: the overall ones are kept apart only once a second data center appears (then the
 * partials seen so far are added to them first).
 */
export class TotalsByDataCenter {
  private readonly byDataCenter = new Map<string, AnalysisTotals>();
  private readonly seen: FilePartial[] = [];
  private overall: AnalysisTotals | null = null;

  add(partial: FilePartial): void {
    let dc = this.byDataCenter.get(partial.dataCenter);
    if (dc === undefined) {
      this.byDataCenter.set(partial.dataCenter, (dc = new AnalysisTotals()));
      if (this.byDataCenter.size === 2) {
        this.overall = new AnalysisTotals();
        for (const earlier of this.seen) this.overall.add(earlier);
      }
    }
    dc.add(partial);
    this.overall?.add(partial);
    this.seen.push(partial);
  }

  result(): { analysis: Analysis; charts: () => ChartData; dataCenters: Record<string, Analysis> } {
    const dataCenters: Record<string, Analysis> = {};
    const results = new Map([...this.byDataCenter].map(([name, totals]) => [name, totals.result()]));
    for (const name of [...results.keys()].sort())
      dataCenters[name] = (results.get(name) as { analysis: Analysis }).analysis;
    const overall = this.overall?.result() ?? results.values().next().value ?? new AnalysisTotals().result();
    return { ...overall, dataCenters };
  }
}
