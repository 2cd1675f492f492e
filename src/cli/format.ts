// Number formatting shared by terminal output.

export function formatCount(value: number, unit: string): string {
  if (unit === 'ns') {
    if (value >= 1e9) return `${(value / 1e9).toFixed(3)} s`;
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)} ms`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(1)} µs`;
    return `${value.toFixed(0)} ns`;
  }
  return Math.round(value).toLocaleString('en-US');
}
