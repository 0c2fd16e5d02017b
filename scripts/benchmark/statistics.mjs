// Summaries of repeated measurements: every repetition is kept, with its median, min and
// max (and, for latencies, p50 and p95). One rounding rule for all of them, so that a
// summary can be checked against its own repetitions (schema.mjs does).

// Six significant digits: far below the noise of any measure here.
export function round(value) {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = 6 - Math.ceil(Math.log10(Math.abs(value)));
  const factor = 10 ** Math.max(0, Math.min(digits, 12));
  return Math.round(value * factor) / factor;
}

// Linear interpolation between the closest ranks (numpy's default): 0.5 is the median.
export function percentile(values, fraction) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * fraction;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

// {repetitions, median, min, max} (+ p50, p95 with `latency`) of a list of numbers.
export function summarize(values, { latency = false } = {}) {
  const repetitions = values.map(round);
  const summary = {
    repetitions,
    median: round(percentile(repetitions, 0.5)),
    min: round(Math.min(...repetitions)),
    max: round(Math.max(...repetitions)),
  };
  if (latency) {
    summary.p50 = summary.median;
    summary.p95 = round(percentile(repetitions, 0.95));
  }
  return summary;
}

// The summary of numerators[i] / denominators[i]: ratios of repetitions taken side by side.
export function ratioSummary(numerators, denominators) {
  const count = Math.min(numerators.length, denominators.length);
  const ratios = [];
  for (let i = 0; i < count; ++i) ratios.push(numerators[i] / denominators[i]);
  return summarize(ratios);
}
