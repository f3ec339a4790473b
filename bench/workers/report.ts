// A bench worker's answer: one JSON line with its figures and its peak RSS.
export function report(figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ ...figures, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}
