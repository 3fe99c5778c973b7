// How the window orders and marks provider states: worst last in `severity`, and a symbol per
// state, so colour is never the only signal.
import type { State } from "./bindings/State";

export const severity: Record<State, number> = {
  operational: 0,
  maintenance: 1,
  unknown: 2,
  degraded: 3,
  partial_outage: 4,
  major_outage: 5,
};

export const symbol: Record<State, string> = {
  operational: "✓",
  maintenance: "⚒",
  unknown: "?",
  degraded: "!",
  partial_outage: "✕",
  major_outage: "✕",
};
