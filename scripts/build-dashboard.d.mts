/** Builds the dashboard into `outdir` (default dist/dashboard); returns the bytes of each file written. */
export function buildDashboard(outdir?: string): Promise<Record<string, number>>;
