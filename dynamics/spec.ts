/** What a model reads and predicts. Stored in lam.json; shared by training, the tfjs model and the fast Predictor. */
export interface ModelSpec {
  /** Frame channels fed to the model each step, in order. */
  readonly features: readonly string[];
  /** Action channels predicted for each future step, in order. */
  readonly actions: readonly string[];
  /** Frame rate (Hz); one model step = one frame. */
  readonly rate: number;
  /** Frames of history in a training/evaluation window. */
  readonly history: number;
  /** Predicted steps. */
  readonly horizon: number;
  /** Stacked LSTM layers and units per layer. */
  readonly layers: number;
  readonly units: number;
}

