/** What the connect flow logs of an error: its name only, since D1 and crypto messages may quote data. */
export const errorName = (err: unknown) => (err instanceof Error ? err.name : typeof err);
