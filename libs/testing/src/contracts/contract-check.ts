/** One property of a contract suite, runnable on its own so that a spec can prove the check bites. */
export interface ContractCheck<T> {
  readonly title: string;
  run(subject: T): void | Promise<void>;
}
