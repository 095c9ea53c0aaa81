export { computeEvaluation, errorRatio, failedEvaluation, windowsOf } from './compute-evaluation.ts';
export { countsOf, type EvaluateOptions, evaluateAll, evaluateSlo, partsBySource, type SourceMap } from './evaluate-all.ts';
