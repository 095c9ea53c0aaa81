import { benchBacktest, backtestTable } from '/work/wt/scale/bench/backtest.ts';
import os from 'node:os';
const f = await benchBacktest(100, 28, 100);
console.log(backtestTable(f));
console.log('load average', os.loadavg().map((x) => x.toFixed(2)).join(' '));
