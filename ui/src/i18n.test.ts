// The webview's language under a C locale: uPlot's module must load all the same.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mendWebviewLanguage } from "./i18n";

function speak(tag: string) {
  Object.defineProperty(navigator, "language", { value: tag, configurable: true });
}

describe("the webview's language", () => {
  const original = navigator.language;
  afterEach(() => {
    speak(original);
    vi.resetModules();
  });

  // What uPlot does as its module loads (uPlot.esm.js: `new Intl.NumberFormat(nav.language)`).
  // Its module is imported once per file, mended, below: a failed import would stay cached.
  it("under a C locale is no language tag, unmended", () => {
    speak("C");
    expect(() => new Intl.NumberFormat(navigator.language)).toThrow(RangeError);
  });

  it("mended from the window's language lets uPlot load", async () => {
    speak("C");
    mendWebviewLanguage("de");
    expect(navigator.language).toBe("de-DE");
    const { default: UPlot } = await import("uplot");
    expect(typeof UPlot).toBe("function");
  });

  it("is left alone when it is a language tag", () => {
    speak("fr-CA");
    mendWebviewLanguage("en");
    expect(navigator.language).toBe("fr-CA");
  });

  it("is mended when empty", () => {
    speak("");
    mendWebviewLanguage("en");
    expect(navigator.language).toBe("en-GB");
  });
});
