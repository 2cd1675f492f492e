// Hardware-counter tests run only where a PMU exists; elsewhere they are reported as skipped.
import { probe } from '../../src/counters/index.js';

const report = probe();
export const HAS_PMU = report.events['instructions']?.ok === true;
export const NO_PMU_REASON = `no hardware PMU here (instructions: ${
  report.events['instructions']?.ok === false ? report.events['instructions'].error : 'unknown'
})`;
