// WCAG AA contrast of the window's colours, computed from the CSS variables in app.css for
// the light and the dark theme: text on the page and banner backgrounds, and white text on
// the state badges and buttons. 4.5:1 is AA for normal text.
// @vitest-environment node
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("./app.css", import.meta.url), "utf8");

// The `--name: #hex` declarations of the first `:root` block after `from` in the file.
function variables(from: number): Record<string, string> {
  const start = css.indexOf(":root", from);
  const block = css.slice(css.indexOf("{", start) + 1, css.indexOf("}", start));
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1], m[2]]));
}

const light = variables(0);
const dark = { ...light, ...variables(css.indexOf("prefers-color-scheme: dark")) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

// [text, background]: a variable name, or a literal colour.
const pairs: Array<[string, string]> = [
  ["fg", "bg"],
  ["muted", "bg"],
  ["ok-fg", "bg"],
  ["warn-fg", "bg"],
  ["bad-fg", "bg"],
  ["info-fg", "bg"],
  ["fg", "banner-bg"],
  ["fg", "surface"],
  ["muted", "surface"],
  ["info-fg", "surface"],
  ["ok-fg", "surface"],
  ["bad-fg", "surface"],
  ["#ffffff", "ok"],
  ["#ffffff", "warn"],
  ["#ffffff", "bad"],
  ["#ffffff", "info"],
  ["#ffffff", "grey"],
];

describe.each([
  ["light", light],
  ["dark", dark],
] as const)("contrast in the %s theme", (_theme, vars) => {
  const colour = (v: string) => (v.startsWith("#") ? v : vars[v]);

  it("reads every variable it checks", () => {
    for (const [fg, bg] of pairs) {
      expect(colour(fg), fg).toMatch(/^#[0-9a-fA-F]{6}$/);
      expect(colour(bg), bg).toMatch(/^#[0-9a-fA-F]{6}$/);
    }
  });

  it.each(pairs)("%s on %s is at least 4.5:1", (fg, bg) => {
    const ratio = contrast(colour(fg), colour(bg));
    expect(ratio, `${fg} ${colour(fg)} on ${bg} ${colour(bg)}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);
  });
});

describe("the contrast formula", () => {
  it("gives the known ratios", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    // The colours the issue measured: below AA before this change.
    expect(contrast("#1e8e3e", "#ffffff")).toBeCloseTo(4.2, 1);
    expect(contrast("#b07800", "#ffffff")).toBeLessThan(4.5);
  });
});
