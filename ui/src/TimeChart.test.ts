// The chart's time axis: readable labels and span from the first point on.
import { describe, expect, it } from "vitest";
import { timeRange, timeTicks } from "./TimeChart.svelte";

const at = (y: number, m: number, d: number, h: number, min = 0) => new Date(y, m - 1, d, h, min).getTime() / 1000;

describe("the time axis", () => {
  it("spans one hourly point alone with half an hour either side", () => {
    const x = at(2026, 12, 5, 17);
    expect(timeRange(x, x, true)).toEqual([x - 1800, x + 1800]);
  });

  it("spans days with half a day either side", () => {
    expect(timeRange(at(2026, 12, 1, 12), at(2026, 12, 5, 12), false)).toEqual([at(2026, 12, 1, 0), at(2026, 12, 6, 0)]);
  });

  it("names the day under the first time of each day", () => {
    const splits = [at(2026, 12, 5, 22), at(2026, 12, 5, 23), at(2026, 12, 6, 0), at(2026, 12, 6, 1)];
    expect(timeTicks(splits, 3600, "de")).toEqual(["22:00\n05.12.2026", "23:00", "00:00\n06.12.2026", "01:00"]);
    expect(timeTicks(splits, 3600, "en")).toEqual(["22:00\n5 Dec 2026", "23:00", "00:00\n6 Dec 2026", "01:00"]);
  });

  it("names days alone when the ticks are days apart, in the day they fall on here", () => {
    const splits = [at(2026, 12, 5, 0), at(2026, 12, 6, 0)];
    expect(timeTicks(splits, 86_400, "de")).toEqual(["05.12.2026", "06.12.2026"]);
    expect(timeTicks(splits, 86_400, "en")).toEqual(["5 Dec 2026", "6 Dec 2026"]);
  });
});
