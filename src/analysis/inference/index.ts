export * from './types.js';
export { trainingCorpus, pairKey, type CorpusExclusion, type TrainingDocument } from './corpus.js';
export { trainInference, DEFAULT_INFERENCE_PARAMS, type InferenceModel } from './model.js';
export { expandObservation, blendedScores, popularityScores, plainCooccurrenceScores, neighbourhoodScores } from './score.js';
export { inferTechniques, finalScores, rankedItems, MIN_OBSERVED } from './infer.js';
export { evaluateRanking, scoreRanking, splitHalf, type HeldOutSet, type RankingMetrics } from './evaluate.js';
export { platformsOfIncident, dataSourcesToCheck } from './context.js';
