/**
 * An error as plain data: what crosses IPC, the writer protocol and `--json` output.
 * `code` is stable (`E_*`); `title` and `detail` are for people; `hint` says what to do next.
 */
export interface AppError {
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly hint?: string;
}
