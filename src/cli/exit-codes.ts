/** Exit codes of every quarry command. */
export const ExitCode = { Ok: 0, UserError: 1, Internal: 2 } as const;
