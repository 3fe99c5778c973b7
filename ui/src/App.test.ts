// Component tests of the window with the host mocked at the IPC boundary, in both languages.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { tick } from "svelte";
import App from "./App.svelte";
import type { Summary } from "./bindings/Summary";

const summary: Summary = {
  checked_at: "2026-11-24T10:06:00+01:00",
  network: "online",
  providers: [
    {
      id: "df",
      name: "DomainFactory",
      state: "major_outage",
      verdict: "provider_confirmed",
      verdict_text: "DomainFactory: problem since 10:02, confirmed by the provider",
      since: "2026-11-24T10:02:00+01:00",
      status_page: "https://status.df.eu/",
      components: [{ name: "E-Mail", state: "major_outage" }],
      incidents: [
        {
          id: "inc1",
          title: "Mailcluster 3 unreachable",
          state: "investigating",
          impact: "major_outage",
          started_at: "2026-11-24T10:02:00+01:00",
          updated_at: "2026-11-24T10:05:00+01:00",
          url: null,
          updates: [
            {
              at: "2026-11-24T10:05:00+01:00",
              status: "investigating",
              body: 'We are on it <img src=x onerror="window.pwned=1"><script>window.pwned=2</script>',
            },
          ],
          components: ["E-Mail"],
        },
      ],
      checks: [
        {
          id: "df/status_page",
          kind: "status_page",
          target: "https://status.df.eu/api/v2/summary.json",
          outcome: "up",
          reason: null,
          message: "read",
          latency_ms: 42,
          cert_days_left: null,
          at: "2026-11-24T10:06:00+01:00",
        },
      ],
    },
    {
      id: "gh",
      name: "GitHub",
      state: "operational",
      verdict: "all_well",
      verdict_text: "GitHub: all well",
      since: null,
      status_page: null,
      components: [],
      incidents: [],
      checks: [],
    },
  ],
};

function host(route: string | null = null) {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === "summary") return summary;
    if (cmd === "take_route") return route;
    if (cmd === "check_now") return null;
    if (cmd.startsWith("plugin:event|")) return 0;
    throw new Error(`unexpected command ${cmd}`);
  }, { shouldMockEvents: true });
  return calls;
}

async function settle() {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await tick();
  }
}

beforeAll(() => {
  Object.defineProperty(window, "crypto", { value: globalThis.crypto, configurable: true });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("summary view", () => {
  it("puts affected providers first, in English", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByTestId("headline").textContent).toBe(
      "DomainFactory: problem since 10:02, confirmed by the provider",
    );
    expect(screen.getByText("Affected")).toBeTruthy();
    const names = [...document.querySelectorAll(".provider .name")].map((n) => n.textContent);
    expect(names).toEqual(["DomainFactory", "GitHub"]);
    expect(screen.getByText("Major outage")).toBeTruthy();
  });

  it("speaks German", async () => {
    host();
    render(App, { lang: "de" });
    await settle();
    expect(screen.getByText("Betroffen")).toBeTruthy();
    expect(screen.getByText("Schwerer Ausfall")).toBeTruthy();
    expect(screen.getByText("Jetzt prüfen")).toBeTruthy();
  });

  it("asks the host to check now", async () => {
    const calls = host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByText("Check now"));
    expect(calls).toContain("check_now");
  });
});

describe("provider detail", () => {
  it("opens at the route the notification carried and shows the timeline as inert text", async () => {
    host("/provider/df/incident/inc1");
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByText("Mailcluster 3 unreachable")).toBeTruthy();
    const body = document.querySelector(".timeline .body");
    expect(body?.textContent).toContain("<script>");
    expect(body?.querySelector("img, script")).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });

  it("navigates from the summary in German", async () => {
    host();
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("DomainFactory"));
    await settle();
    expect(screen.getByText("Meldungen des Anbieters")).toBeTruthy();
    expect(screen.getByText("Zurück zur Übersicht", { exact: false })).toBeTruthy();
  });
});
