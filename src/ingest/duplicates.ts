import type { Where } from './fields.js';

/** How many duplicate ids of one file are named one by one before the rest are only counted. */
const NAMED_DUPLICATES = 20;

/**
 * The ids of incidents and alerts seen in one file, to report an id the file holds more than once:
 * one warning per id (naming the file and where it appears again), the first 20 ids named and the
 * rest counted. The records still go to the store, which keeps one row per id (the newer record
 * wins) and counts each incident and alert once. Ids are kept per source, as the store keys them.
 */
export class Duplicates {
  private readonly incidents = new Set<string>();
  private readonly alerts = new Set<string>();
  private readonly reported = new Set<string>();
  private unnamed = 0;

  constructor(
    private readonly file: string,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  /** Notes an incident id; true when it had been seen in the file. */
  incident(source: string, id: string, where: Where): boolean {
    const key = `${source}\u0000${id}`;
    if (!this.incidents.has(key)) {
      this.incidents.add(key);
      return false;
    }
    this.report('incident', key, id, where);
    return true;
  }

  /** Notes an alert id (reporting a repeat unless `report` is false). */
  alert(source: string, id: string, where: Where, report = true): void {
    const key = `${source}\u0000${id}`;
    if (!this.alerts.has(key)) this.alerts.add(key);
    else if (report) this.report('alert', key, id, where);
  }

  /** How many distinct alerts the file has held so far (what an import counts, each once). */
  get alertCount(): number {
    return this.alerts.size;
  }

  /** At the end of the file: how many more there were than were named. */
  end(): void {
    if (this.unnamed > 0) this.onWarning?.(`${this.file}: ${this.unnamed} more duplicate id(s); each is imported and counted once`);
  }

  private report(kind: string, key: string, id: string, where: Where): void {
    if (!this.onWarning || this.reported.has(`${kind}:${key}`)) return;
    this.reported.add(`${kind}:${key}`);
    if (this.reported.size > NAMED_DUPLICATES) this.unnamed++;
    else this.onWarning(`${this.file}: ${where.shownPath}: duplicate ${kind} id ${JSON.stringify(id)} (it appears earlier in the file); it is imported and counted once`);
  }
}
