// The progress a person watches while the benchmark runs: one line per measurement step,
// "[3/12] page, mesh, 2 workers... (1:05 elapsed, about 2:40 left)". The estimate of what is
// left is the planned seconds of the remaining steps, scaled by how the finished steps
// compared with their plan.

function clock(seconds) {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export class Progress {
  constructor(steps, stream = process.stdout) {
    this.steps = steps;          // [{label, seconds}] in the order they will run
    this.stream = stream;
    this.started = Date.now();
    this.done = 0;               // steps finished
    this.plannedDone = 0;        // planned seconds of the finished steps
  }

  // Announces step `index` (0-based) as it starts.
  begin(index) {
    const elapsed = (Date.now() - this.started) / 1000;
    const plannedLeft = this.steps.slice(index).reduce((sum, step) => sum + step.seconds, 0);
    const pace = this.plannedDone > 0 ? elapsed / this.plannedDone : 1;
    const left = index === 0 ? `about ${clock(plannedLeft)} planned` : `about ${clock(plannedLeft * pace)} left`;
    this.stream.write(`[${index + 1}/${this.steps.length}] ${this.steps[index].label}... (${clock(elapsed)} elapsed, ${left})\n`);
  }

  end(index) {
    this.done = index + 1;
    this.plannedDone += this.steps[index].seconds;
  }

  // A line under the current step (what a long step is doing now).
  note(text) {
    this.stream.write(`      ${text}\n`);
  }

  totalSeconds() {
    return (Date.now() - this.started) / 1000;
  }
}
