/** Counts every AWS call by service and operation: reads and writes are reported apart. */
const READ = /^(Get|List|Describe|Is)/;

export class CallLog {
  readonly calls = new Map<string, number>();
  /** The SDK's logger: silent (the CLI prints its own progress). */
  readonly sdkLogger = { debug() {}, info() {}, warn() {}, error() {} };

  record(service: string, operation: string): void {
    const key = `${service}:${operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  private count(read: boolean): number {
    let n = 0;
    for (const [k, v] of this.calls) if (READ.test(k.split(':')[1] ?? '') === read) n += v;
    return n;
  }
  get reads(): number {
    return this.count(true);
  }
  /** Writes exclude STS AssumeRole/GetCallerIdentity, which change nothing in the accounts. */
  get writes(): number {
    let n = 0;
    for (const [k, v] of this.calls) if (!READ.test(k.split(':')[1] ?? '') && !k.startsWith('sts:')) n += v;
    return n;
  }
  writeCalls(): string[] {
    return [...this.calls.entries()]
      .filter(([k]) => !READ.test(k.split(':')[1] ?? '') && !k.startsWith('sts:'))
      .map(([k, v]) => `${k}×${v}`);
  }
}
