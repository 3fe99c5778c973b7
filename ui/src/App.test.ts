// Component tests of the window with the host mocked at the IPC boundary, in both languages.
import { describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import App from "./App.svelte";
import { cleanHostEachTest, settle } from "./testing";
import type { Controls } from "./bindings/Controls";
import type { ExportProblem } from "./bindings/ExportProblem";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { GeneralSettings } from "./bindings/GeneralSettings";
import type { NewProvider } from "./bindings/NewProvider";
import type { ProviderHistory } from "./bindings/ProviderHistory";
import type { Summary } from "./bindings/Summary";

const summary: Summary = {
  checked_at: "2026-11-24T10:06:00+01:00",
  network: "online",
  language: "en",
  storage: null,
  providers: [
    {
      id: "df",
      name: "DomainFactory",
      state: "major_outage",
      verdict: "provider_confirmed",
      verdict_text: "DomainFactory: problem since 10:02, confirmed by the provider",
      since: "2026-11-24T10:02:00+01:00",
      status_page: "https://status.df.eu/",
      preset: "domainfactory",
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
          steps: [],
          transcript: [],
        },
        {
          id: "df/imap/sslin.df.eu:993",
          kind: "imap",
          target: "sslin.df.eu:993",
          outcome: "down",
          reason: "auth",
          message: "login refused: AUTHENTICATIONFAILED",
          latency_ms: 310,
          cert_days_left: 41,
          at: "2026-11-24T10:06:00+01:00",
          steps: [
            { name: "connect", millis: 12, ok: true },
            { name: "login", millis: 250, ok: false },
          ],
          transcript: ["S: * OK <b>Dovecot</b> ready", "C: a1 LOGIN info@example.com ********", "S: a1 NO [AUTHENTICATIONFAILED]"],
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
      preset: null,
      components: [],
      incidents: [],
      checks: [],
    },
  ],
};

const history: ProviderHistory = {
  report: {
    id: "df",
    name: "DomainFactory",
    uptime: [
      ["24h", 0.875, null],
      ["7d", 0.98, null],
      ["30d", 0.995, null],
      ["90d", null, null],
    ],
    outages: [
      {
        check: "df/imap/imap.df.eu:993",
        started: "2026-11-24T10:00:00+01:00",
        confirmed: "2026-11-24T10:01:30+01:00",
        ended: null,
        reason: "timeout",
        acknowledged_after_min: 2,
      },
    ],
    incidents: [
      {
        id: "inc1",
        title: "Mailcluster 3 <b>unreachable</b>",
        first_seen: "2026-11-24T10:02:00+01:00",
        resolved_seen: null,
        timeline: [
          { at: "2026-11-24T10:00:00+01:00", source: "us", kind: "confirmed", text: "df/imap/imap.df.eu:993: timeout" },
          {
            at: "2026-11-24T10:02:00+01:00",
            source: "provider",
            kind: "investigating",
            text: 'Looking <img src=x onerror="window.pwned=3"><script>window.pwned=4</script>',
          },
        ],
      },
    ],
  },
  days: [
    { day: "2026-11-23", uptime: null, down_min: 0, unseen_min: 1440, latency_ms: null },
    { day: "2026-11-24", uptime: 0.875, down_min: 90, unseen_min: 0, latency_ms: 41 },
  ],
  hours: [],
};

/// What the mocked resident holds: the controls change as a real one would.
let controls: Controls;
let currentHistory: ProviderHistory = history;
let added: NewProvider[] = [];
let general: GeneralSettings;
let opened: Array<[string, string | null]> = [];
let removedProviders: Array<[string, boolean]> = [];
let finishCheck: () => void = () => {};
let editedProviders: Array<[string, string, string | null]> = [];
let currentSummary: Summary = summary;

/// What the mocked resident reports from now on.
function mockSummary(next: Summary) {
  currentSummary = next;
}

let pages: [string, string, string, string | null][] = [];
// The report export: what the page asked for, what the save dialog answers, what was opened.
let exports: ExportRequest[] = [];
let savePath: string | null = "/home/me/Nachweis.pdf";
let exportProblem: ExportProblem | null = null;
let openedReports: string[] = [];
let finishExport = () => {};

function host(route: string | null = null) {
  const calls: string[] = [];
  pages = [];
  exports = [];
  savePath = "/home/me/Nachweis.pdf";
  exportProblem = null;
  openedReports = [];
  controls = { paused_until: null, quiet_until: null, snoozed: [], muted: [], autostart: false, language: null };
  added = [];
  opened = [];
  removedProviders = [];
  editedProviders = [];
  currentSummary = summary;
  currentHistory = history;
  general = { interval: "2m", language: null, quiet_hours: null, reminder: null, alert_states: null };
  mockIPC((cmd, args) => {
    calls.push(cmd);
    const a = (args ?? {}) as { providerId?: string; span?: string; enabled?: boolean };
    if (cmd === "controls") return controls;
    if (cmd === "pause") {
      controls = { ...controls, paused_until: a.span === "one_hour" ? "2026-11-24T11:06:00+01:00" : "2026-11-25T08:00:00+01:00" };
      return null;
    }
    if (cmd === "resume") {
      controls = { ...controls, paused_until: null };
      return null;
    }
    if (cmd === "snooze") {
      controls = { ...controls, snoozed: [{ provider_id: a.providerId ?? "", until: "2026-11-24T14:06:00+01:00" }] };
      return null;
    }
    if (cmd === "mute") {
      controls = { ...controls, muted: [...controls.muted, a.providerId ?? ""] };
      return null;
    }
    if (cmd === "unmute") {
      controls = { ...controls, muted: controls.muted.filter((m) => m !== a.providerId) };
      return null;
    }
    if (cmd === "set_autostart") {
      controls = { ...controls, autostart: a.enabled ?? null };
      return null;
    }
    if (cmd === "quit") return null;
    if (cmd === "general_settings") return general;
    if (cmd === "set_general_settings") {
      const next = (args as { settings: GeneralSettings }).settings;
      if (next.interval === "5s") throw new Error("cannot change the config: interval `5s` is shorter than 10s");
      general = next;
      return null;
    }
    if (cmd === "catalog") {
      return [
        {
          id: "domainfactory",
          name: "DomainFactory",
          aliases: ["DF", "df.eu"],
          status_page: "https://www.df.eu/status/",
          status_note: null,
          mail_note: null,
          status_verified: true,
          mail: ["imap sslin.df.eu:993 implicit", "smtp sslout.df.eu:465 implicit"],
        },
        { id: "ionos", name: "IONOS", aliases: ["1&1"], status_page: "https://www.ionos-status.de/", status_note: null, mail_note: null, status_verified: true, mail: [] },
        {
          id: "gmx",
          name: "GMX",
          aliases: [],
          status_page: null,
          status_note: { en: "GMX publishes no public status page or feed.", de: "GMX veröffentlicht keine öffentliche Statusseite und keinen Feed." },
          mail_note: { en: "IMAP must be switched on once.", de: "IMAP muss einmal eingeschaltet werden." },
          status_verified: true,
          mail: ["imap imap.gmx.net:993 implicit"],
        },
      ];
    }
    if (cmd === "detect") {
      const url = (args as { url: string }).url;
      if (!url.startsWith("https://status.example.com")) throw new Error("no known status-page format found");
      return { format: "statuspage", endpoint: `${url}api/v2/summary.json`, state: "degraded", components: 4, incidents: 1 };
    }
    if (cmd === "remove_provider") {
      const r = args as { providerId: string; deleteHistory: boolean };
      removedProviders.push([r.providerId, r.deleteHistory]);
      return null;
    }
    if (cmd === "edit_provider") {
      const r = args as { providerId: string; name: string; statusPage: string | null };
      editedProviders.push([r.providerId, r.name, r.statusPage]);
      return null;
    }
    if (cmd === "add_provider") {
      added.push((args as { provider: NewProvider }).provider);
      return null;
    }
    if (cmd === "summary") return currentSummary;
    if (cmd === "provider_history") {
      if ((args as { providerId?: string }).providerId !== "df") throw new Error("no such provider");
      return currentHistory;
    }
    if (cmd === "mail_accounts") return [];
    if (cmd === "provider_roundtrips") return [];
    if (cmd === "open_link") {
      const { providerId, incidentId } = args as { providerId: string; incidentId: string | null };
      opened.push([providerId, incidentId]);
      if (incidentId === "inc-gone") throw new Error("there is no address to open");
      return null;
    }
    if (cmd === "add_http") {
      const page = args as { providerId: string; url: string; expect: string | null };
      if (page.url.includes("refused")) throw new Error("cannot change the config: the config file is read-only");
      pages.push(["add", page.providerId, page.url, page.expect]);
      return null;
    }
    if (cmd === "remove_http") {
      const page = args as { providerId: string; checkId: string };
      pages.push(["remove", page.providerId, page.checkId, null]);
      return null;
    }
    if (cmd === "choose_report_file") return savePath;
    if (cmd === "export_report") {
      const request = (args as { request: ExportRequest }).request;
      exports.push(request);
      const outcome = exportProblem
        ? { outcome: "refused", problem: exportProblem, detail: "cannot write /nope/x.pdf: Permission denied" }
        : { outcome: "written", files: [request.path] };
      // Held until the test lets it finish: the summary must go on meanwhile.
      return new Promise((resolve) => (finishExport = () => resolve(outcome)));
    }
    if (cmd === "open_report") {
      openedReports.push((args as { path: string }).path);
      return null;
    }
    if (cmd === "take_route") return route;
    if (cmd === "check_now") return new Promise((resolve) => (finishCheck = () => resolve(null)));
    if (cmd.startsWith("plugin:event|")) return 0;
    throw new Error(`unexpected command ${cmd}`);
  }, { shouldMockEvents: true });
  return calls;
}

cleanHostEachTest();

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

  it("says in both languages when the history cannot be saved, and not otherwise", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    expect(screen.queryByTestId("storage")).toBeNull();
    cleanup();
    host();
    currentSummary = { ...summary, storage: { since: "2026-11-24T10:03:00+01:00", detail: "database or disk is full" } };
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByTestId("storage").textContent).toMatch(/^\s*Since .*09:03 the history cannot be saved/);
    cleanup();
    host();
    currentSummary = { ...summary, storage: { since: "2026-11-24T10:03:00+01:00", detail: "database or disk is full" } };
    render(App, { lang: "de" });
    await settle();
    expect(screen.getByTestId("storage").textContent).toMatch(/^\s*Seit .*09:03 kann der Verlauf nicht gespeichert werden/);
  });

  it("names the user's network trouble in the headline, in both languages", async () => {
    const cases: [Summary["network"], "en" | "de", string][] = [
      ["dns", "en", "Your DNS server is not answering — your internet connection itself works"],
      ["dns", "de", "Ihr DNS-Server beantwortet keine Anfragen — Ihre Internetverbindung selbst funktioniert"],
      ["sign_in", "en", "This network wants you to sign in"],
      ["sign_in", "de", "Dieses Netz verlangt eine Anmeldung"],
    ];
    for (const [network, lang, headline] of cases) {
      host();
      currentSummary = { ...summary, network, language: lang };
      render(App, { lang });
      await settle();
      expect(screen.getByTestId("headline").textContent).toBe(headline);
      cleanup();
    }
  });

  it("never says all well before anything was checked (issue 14, item 5), in both languages", async () => {
    const notChecked = (id: string, name: string) => ({
      ...summary.providers[1],
      id,
      name,
      state: "unknown" as const,
      verdict: "unknown" as const,
      verdict_text: `${name}: not checked yet`,
    });
    const gh = summary.providers[1];
    const cases: [Summary["providers"], "en" | "de", string][] = [
      [[notChecked("a", "Acme"), notChecked("b", "Beta")], "en", "State not known yet"],
      [[notChecked("a", "Acme"), notChecked("b", "Beta")], "de", "Zustand noch unbekannt"],
      [[gh, notChecked("a", "Acme")], "en", "Nothing wrong found so far — the state of 1 provider is not known yet"],
      [[gh, notChecked("a", "Acme"), notChecked("b", "Beta")], "de", "Bisher nichts Auffälliges — der Zustand von 2 Anbietern ist noch unbekannt"],
      [[gh], "de", "Alles in Ordnung"],
    ];
    for (const [providers, lang, headline] of cases) {
      host();
      currentSummary = { ...summary, providers, language: lang };
      render(App, { lang });
      await settle();
      expect(screen.getByTestId("headline").textContent).toBe(headline);
      cleanup();
    }
  });

  it("asks the host to check now", async () => {
    const calls = host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByText("Check now"));
    expect(calls).toContain("check_now");
  });
});

describe("language", () => {
  it("follows the resident's language over the system's", async () => {
    host();
    controls = { ...controls, language: "de" };
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByText("Betroffen")).toBeTruthy();
    expect(screen.getByText("Einstellungen")).toBeTruthy();
  });

  it("switches while open when the resident's language changes", async () => {
    host();
    controls = { ...controls, language: "en" };
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByText("Settings")).toBeTruthy();
    // The user saved German in Settings: the resident reloads and pushes a summary in German.
    await emit("summary", { ...summary, language: "de" });
    await settle();
    expect(screen.getByText("Einstellungen")).toBeTruthy();
    expect(screen.getByText("Betroffen")).toBeTruthy();
    expect(screen.queryByText("Settings")).toBeNull();
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

  it("opens the status page and an incident in the browser through the host, in both languages", async () => {
    for (const [lang, page, incident] of [
      ["en", "open in browser ↗", "on the status page ↗"],
      ["de", "im Browser öffnen ↗", "auf der Statusseite ↗"],
    ] as const) {
      const withUrl = structuredClone(summary);
      withUrl.providers[0].incidents[0].url = "https://status.df.eu/incidents/inc1";
      withUrl.providers[0].incidents.push({ ...withUrl.providers[0].incidents[0], id: "inc-gone", title: "Older" });
      host("/provider/df");
      mockSummary(withUrl);
      render(App, { lang });
      await settle();
      await fireEvent.click(screen.getByRole("button", { name: page }));
      await fireEvent.click(screen.getAllByRole("button", { name: incident })[0]);
      await settle();
      // The page names what to open; the address itself is the host's to look up.
      expect(opened).toEqual([
        ["df", null],
        ["df", "inc1"],
      ]);
      await fireEvent.click(screen.getAllByRole("button", { name: incident })[1]);
      await settle();
      const alert = screen.getByRole("alert").textContent ?? "";
      expect(alert).toContain(lang === "de" ? "konnte nicht im Browser geöffnet werden" : "could not be opened in the browser");
      expect(alert).toContain("there is no address to open");
      cleanup();
      clearMocks();
    }
  });

  it("offers no incident link where the provider gave none", async () => {
    host("/provider/df");
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByRole("button", { name: "open in browser ↗" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "on the status page ↗" })).toBeNull();
  });

  it("navigates from the summary in German", async () => {
    host();
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("DomainFactory"));
    await settle();
    // Ordered for the user's question: the verdict, what the provider says, what we measured.
    const headings = [...document.querySelectorAll("main h2")].map((h) => h.textContent);
    expect(headings.slice(0, 3)).toEqual(["Was los ist", "Was DomainFactory meldet", "Was wir gemessen haben"]);
    expect(headings).toContain("Verlauf (90 Tage)");
    // Measured, in words: no raw check id or enum value.
    const checks = [...document.querySelectorAll("ul.checks li .what")].map((li) => li.textContent);
    expect(checks).toEqual(["Statusseite · status.df.eu", "Posteingang (IMAP) · sslin.df.eu:993"]);
    expect(document.querySelector("ul.checks")?.textContent).toContain("antwortet nicht: Der Server hat die Anmeldung abgelehnt.");
    // The provider's mail accounts are one click away.
    await fireEvent.click(screen.getByText("Mailkonten dieses Anbieters", { exact: false }));
    await settle();
    expect(screen.getByRole("heading", { name: "Mailkonten", level: 1 })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "DomainFactory" })).toBeTruthy();
  });
});

describe("provider history", () => {
  it("shows uptime, our outages with the provider's delay, the merged timeline and day bars", async () => {
    const calls = host("/provider/df");
    render(App, { lang: "en" });
    await settle();
    expect(calls).toContain("provider_history");
    // Each figure of a check stands apart (measured before: "answers· 42 ms· last …").
    const found = document.querySelector("li.check .found")?.textContent ?? "";
    expect(found).toMatch(/\S · 42 ms · \S/);
    const uptime = screen.getByTestId("uptime").textContent ?? "";
    expect(uptime).toContain("Last 24 hours");
    expect(uptime).toContain("87.5 %");
    expect(uptime).toContain("—");
    expect(screen.getByText(/acknowledged by the provider 2 minutes after we detected it/)).toBeTruthy();
    const merged = [...document.querySelectorAll(".merged li")].map((li) => li.className);
    expect(merged).toEqual(["from-us", "from-provider"]);
    // Two day bars, each saying in words what its colour says.
    const bars = [...document.querySelectorAll<HTMLButtonElement>(".bars .bar")];
    expect(bars.map((b) => b.getAttribute("aria-label"))).toEqual([
      "23 Nov 2026: no data",
      "24 Nov 2026: 87.5 % up, 90 min down, 0 min not seen",
    ]);
    // Our outages in words: what was checked and why it failed, never the check's id.
    const outage = (document.querySelector("ul.outages li")?.textContent ?? "").replace(/\s+/g, " ");
    expect(outage).toContain("Incoming mail (IMAP) · imap.df.eu:993: the server did not answer in time.");
    expect(outage).not.toContain("df/imap");
    // The merged timeline names who said what in words.
    const who = [...document.querySelectorAll(".merged li strong")].map((s) => s.textContent);
    expect(who).toEqual(["Us: outage confirmed", "Provider: Investigating"]);
    expect(document.querySelector(".merged li.from-us .body")?.textContent).toBe(
      "Incoming mail (IMAP) · imap.df.eu:993: the server did not answer in time.",
    );
    await fireEvent.focus(bars[1]);
    expect(screen.getByTestId("day-detail").textContent).toContain("90 min down");
    // Latency: the day with timed probes, in a table; without a canvas (as here) the table
    // is shown instead of the chart.
    const latency = screen.getByTestId("latency-table");
    expect(latency.textContent).toContain("24 Nov 202641 ms");
    expect(latency.className).toBe("latency-table");
  });

  it("says since when a window was measured when monitoring began within it, in both languages", async () => {
    // Measured before: "Last 90 days: 67.26 %" after half an hour of data. Which windows
    // began before the first measurement is the resident's to say (the third value).
    const since = new Date(Date.now() - 2 * 86_400_000);
    const uptime: ProviderHistory["report"]["uptime"] = [
      ["24h", 0.875, null],
      ["7d", 0.98, since.toISOString()],
      ["30d", 0.995, since.toISOString()],
      // Nothing measured: "—", with no base to name.
      ["90d", null, since.toISOString()],
    ];
    for (const [lang, note] of [
      ["en", "(measured since"],
      ["de", "(gemessen seit"],
    ] as const) {
      host("/provider/df");
      currentHistory = { ...history, report: { ...history.report, uptime } };
      render(App, { lang });
      await settle();
      const rows = [...screen.getByTestId("uptime").querySelectorAll("tr")].map((r) => r.textContent ?? "");
      expect(rows[0]).not.toContain(note);
      expect(rows[1]).toMatch(new RegExp(`% \\${note}`));
      expect(rows[1]).toContain(String(since.getFullYear()));
      expect(rows[2]).toContain(note);
      // A window with nothing measured says "—", with no base to name.
      expect(rows[3]).not.toContain(note);
      cleanup();
    }
  });

  it("says a test mail was delivered, not that it answers, in both languages", async () => {
    const roundtrip = {
      ...summary.providers[0].checks[0],
      id: "df/roundtrip/sslout.df.eu/info@example.com",
      kind: "roundtrip" as const,
      target: "sslout.df.eu → info@example.com",
      latency_ms: 432_000,
    };
    for (const [lang, up, down] of [
      ["en", "delivered · 7 min 12 s", "not delivered: "],
      ["de", "zugestellt · 7 min 12 s", "nicht zugestellt: "],
    ] as const) {
      for (const [outcome, reason, expected] of [
        ["up", null, up],
        ["down", "lost", down],
      ] as const) {
        host("/provider/df");
        const df = { ...summary.providers[0], checks: [{ ...roundtrip, outcome, reason }] };
        currentSummary = { ...summary, providers: [df] };
        render(App, { lang });
        await settle();
        expect(document.querySelector("li.check .found")?.textContent?.trim()).toMatch(new RegExp(`^${expected}`));
        cleanup();
      }
    }
  });

  it("renders provider text in the merged timeline as inert text", async () => {
    host("/provider/df");
    render(App, { lang: "en" });
    await settle();
    const title = [...document.querySelectorAll(".history-incident h3")].map((h) => h.textContent);
    expect(title).toEqual(["Mailcluster 3 <b>unreachable</b>"]);
    const body = document.querySelector(".merged li.from-provider .body");
    expect(body?.textContent).toContain("<script>");
    expect(document.querySelector(".history-incident img, .history-incident script, .history-incident b")).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });

  it("speaks German", async () => {
    host("/provider/df");
    render(App, { lang: "de" });
    await settle();
    expect(screen.getByText("Verlauf (90 Tage)")).toBeTruthy();
    expect(screen.getByTestId("uptime").textContent).toContain("87,5 %");
    expect(screen.getByText(/vom Anbieter 2 Minuten nach unserer Feststellung bestätigt/)).toBeTruthy();
    expect(screen.getByText("Anbieter: Wird untersucht")).toBeTruthy();
    expect(screen.getByTestId("day-detail").textContent).toBeTruthy();
    expect(document.querySelector(".bars .bar")?.getAttribute("aria-label")).toBe("23.11.2026: keine Daten");
  });

  it("says so when the history cannot be read", async () => {
    host("/provider/gh");
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByRole("alert").textContent).toContain("The history cannot be read");
  });
});

describe("settings and alert controls", () => {
  it("pauses and resumes notifications, toggles start at login and quits, in English", async () => {
    const calls = host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByRole("button", { name: "Settings" }));
    await settle();
    await fireEvent.click(screen.getAllByText("1 hour")[0]);
    await settle();
    // In the user's own time zone, whatever the machine running the test uses.
    expect(screen.getByTestId("paused").textContent).toMatch(/paused until 24 Nov 2026, \d\d:\d\d\./);
    // The banner says it on every page, with a way to end it.
    expect(screen.getByTestId("banner-paused").textContent).toMatch(/Notifications are paused until 24 Nov 2026/);
    await fireEvent.click(screen.getByText("Resume notifications"));
    await settle();
    expect(screen.queryByTestId("paused")).toBeNull();
    expect(screen.queryByTestId("banner-paused")).toBeNull();
    const box = screen.getByLabelText("Start Outage Notifier when I log in to this computer") as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    await settle();
    expect(controls.autostart).toBe(true);
    expect((screen.getByLabelText("Start Outage Notifier when I log in to this computer") as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByText("Quit Outage Notifier"));
    expect(calls).toEqual(expect.arrayContaining(["pause", "resume", "set_autostart", "quit"]));
  });

  it("snoozes and mutes a provider from its detail, and unmutes it in the settings, in German", async () => {
    host("/provider/df");
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("4 Stunden"));
    await settle();
    expect(screen.getByTestId("provider-snoozed").textContent).toContain("Schlummert bis");
    await fireEvent.click(screen.getByText("Stummschalten"));
    await settle();
    expect(screen.getByTestId("provider-muted")).toBeTruthy();
    expect(controls.muted).toEqual(["df"]);

    await fireEvent.click(screen.getByRole("button", { name: "Einstellungen" }));
    await settle();
    expect(screen.getByText("Stummgeschaltete Anbieter")).toBeTruthy();
    expect(screen.getByText("DomainFactory", { exact: false })).toBeTruthy();
    await fireEvent.click(screen.getByText("Wieder melden"));
    await settle();
    expect(controls.muted).toEqual([]);
    expect(screen.queryByText("Stummgeschaltete Anbieter")).toBeNull();
  });

  it("hides start at login where the platform has no mechanism", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    controls = { ...controls, autostart: null };
    await fireEvent.click(screen.getByRole("button", { name: "Settings" }));
    await settle();
    expect(screen.queryByText("Start Outage Notifier when I log in to this computer")).toBeNull();
    expect(screen.getByText("Pause all notifications for:")).toBeTruthy();
  });
});

describe("adding a provider", () => {
  it("marks what is already added, refuses it again in a sentence, and adds another preset, in English", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByText("Add a provider", { exact: false }));
    await settle();
    await fireEvent.input(screen.getByLabelText("Search"), { target: { value: "df.eu" } });
    await settle();
    expect(screen.getByText("DomainFactory")).toBeTruthy();
    expect(screen.getByText(/2 mail servers/)).toBeTruthy();
    expect(screen.queryByText("IONOS")).toBeNull();
    // DomainFactory is set up already (the summary's `df` comes from its preset).
    expect(screen.getByTestId("already-added").textContent).toContain("Already added");
    await fireEvent.click(screen.getByText("Add"));
    await settle();
    expect(added).toEqual([]);
    expect(screen.getByTestId("duplicate").textContent).toBe("DomainFactory is already set up. You find it in the overview.");

    await fireEvent.input(screen.getByLabelText("Search"), { target: { value: "1&1" } });
    await settle();
    expect(screen.queryByTestId("already-added")).toBeNull();
    await fireEvent.click(screen.getByText("Add"));
    await settle();
    expect(added).toEqual([{ id: "ionos", name: null, preset: "ionos", status_page: null, status_format: null, mail: [] }]);
    expect(screen.getByTestId("headline")).toBeTruthy();
  });

  it("shows the catalog's notes on a provider in the window's language", async () => {
    for (const [lang, nav, search, note, mail, other] of [
      ["de", "Anbieter hinzufügen", "Suchen", "GMX veröffentlicht keine öffentliche Statusseite und keinen Feed.", "IMAP muss einmal eingeschaltet werden.", "GMX publishes"],
      ["en", "Add a provider", "Search", "GMX publishes no public status page or feed.", "IMAP must be switched on once.", "GMX veröffentlicht"],
    ] as const) {
      host();
      const { unmount } = render(App, { lang });
      await settle();
      await fireEvent.click(screen.getByText(nav, { exact: false }));
      await settle();
      await fireEvent.input(screen.getByLabelText(search), { target: { value: "gmx" } });
      await settle();
      expect(screen.getByTestId("status-note").textContent).toBe(note);
      expect(screen.getByTestId("mail-note").textContent).toBe(mail);
      // The note takes the place of the generic line, and the facts stay: "1 mail server".
      const facts = screen.getByText("GMX").parentElement!.querySelector(".muted")!.textContent;
      expect(facts).toMatch(/^1 (Mailserver|mail server)$/);
      expect(document.body.textContent).not.toContain(other);
      unmount();
    }
  });

  it("refuses a status page that is already watched, in German", async () => {
    host();
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("Anbieter hinzufügen", { exact: false }));
    await settle();
    await fireEvent.input(screen.getByLabelText("Adresse"), { target: { value: "https://status.df.eu" } });
    await fireEvent.click(screen.getByText("Prüfen"));
    await settle();
    expect(screen.getByTestId("duplicate").textContent).toBe(
      "DomainFactory ist bereits eingerichtet. Sie finden den Anbieter in der Übersicht.",
    );
    expect(screen.queryByTestId("preview")).toBeNull();
  });

  it("detects a status page from its address, previews it and adds it, in German", async () => {
    host();
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("Anbieter hinzufügen", { exact: false }));
    await settle();
    await fireEvent.input(screen.getByLabelText("Adresse"), { target: { value: "https://status.example.com/" } });
    await fireEvent.click(screen.getByText("Prüfen"));
    await settle();
    const preview = screen.getByTestId("preview").textContent ?? "";
    expect(preview).toContain("Gefunden: eine Statusseite im Format Atlassian Statuspage");
    expect(preview).toContain("Beeinträchtigt");
    expect(preview).toContain("4 Komponenten, 1 Meldungen");
    await fireEvent.click(screen.getByText("Hinzufügen"));
    await settle();
    expect(added).toEqual([
      {
        id: "status-example-com",
        name: "status.example.com",
        preset: null,
        status_page: "https://status.example.com/",
        status_format: "statuspage",
        mail: [],
      },
    ]);
  });

  it("says why a page could not be recognised, and adds nothing", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByText("Add a provider", { exact: false }));
    await settle();
    await fireEvent.input(screen.getByLabelText("Address"), { target: { value: "https://nothing.example/" } });
    await fireEvent.click(screen.getByText("Check"));
    await settle();
    const alert = screen.getByRole("alert").textContent ?? "";
    expect(alert).toContain("We found no status page at this address that Outage Notifier can read.");
    expect(alert).toContain("no known status-page format found");
    expect(screen.queryByTestId("preview")).toBeNull();
    expect(added).toEqual([]);
  });
});

describe("watched addresses", () => {
  it("adds an address to watch with the text it must show, says why one is refused, and stops watching one, in English", async () => {
    host("/provider/df");
    currentSummary = {
      ...summary,
      providers: summary.providers.map((p) =>
        p.id === "df"
          ? {
              ...p,
              checks: [
                ...p.checks,
                {
                  id: "df/http/https://webmail.df.test/",
                  kind: "http",
                  target: "https://webmail.df.test/",
                  outcome: "down",
                  reason: "content",
                  message: "the page does not say \"Login\"",
                  latency_ms: 120,
                  cert_days_left: null,
                  at: "2026-11-24T10:05:00+01:00",
                  steps: [],
                  transcript: [],
                },
              ],
            }
          : p,
      ),
    };
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByText("Watched addresses")).toBeTruthy();
    await fireEvent.input(screen.getByLabelText("Address to watch"), { target: { value: " https://status.df.test/ " } });
    await fireEvent.input(screen.getByLabelText("Text the page must show (optional)"), { target: { value: "operating normally" } });
    await fireEvent.submit(screen.getByText("Watch").closest("form")!);
    await settle();
    expect(pages).toEqual([["add", "df", "https://status.df.test/", "operating normally"]]);
    expect((screen.getByLabelText("Address to watch") as HTMLInputElement).value).toBe("");

    // Each refusal in a sentence; what the resident said only under "Technical details".
    await fireEvent.input(screen.getByLabelText("Address to watch"), { target: { value: "ftp://files.df.test/" } });
    await fireEvent.submit(screen.getByText("Watch").closest("form")!);
    await settle();
    expect(screen.getByRole("alert").textContent?.trim()).toBe(
      "Not saved: the address must be a web page starting with https:// (or http://).",
    );
    await fireEvent.input(screen.getByLabelText("Address to watch"), { target: { value: "https://webmail.df.test" } });
    await fireEvent.submit(screen.getByText("Watch").closest("form")!);
    await settle();
    expect(screen.getByRole("alert").textContent?.trim()).toBe("Not saved: this address is watched already.");
    await fireEvent.input(screen.getByLabelText("Address to watch"), { target: { value: "https://refused.df.test/" } });
    await fireEvent.submit(screen.getByText("Watch").closest("form")!);
    await settle();
    const alert = screen.getByTestId("pages-failed");
    expect(alert.querySelector("p")?.textContent).toBe("Not saved: the address could not be added to the settings.");
    expect(alert.querySelector("details")?.open).toBe(false);
    expect(alert.querySelector("details .body")?.textContent).toBe("Error: cannot change the config: the config file is read-only");
    expect(pages.length).toBe(1);

    await fireEvent.click(screen.getByText("Stop watching"));
    await settle();
    expect(pages[1]).toEqual(["remove", "df", "df/http/https://webmail.df.test/", null]);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("speaks German", async () => {
    host("/provider/df");
    render(App, { lang: "de" });
    await settle();
    expect(screen.getByText("Beobachtete Adressen")).toBeTruthy();
    expect(screen.getByLabelText("Zu beobachtende Adresse")).toBeTruthy();
    expect(screen.getByText("Beobachten")).toBeTruthy();
    await fireEvent.input(screen.getByLabelText("Zu beobachtende Adresse"), { target: { value: "https://refused.df.test/" } });
    await fireEvent.submit(screen.getByText("Beobachten").closest("form")!);
    await settle();
    const alert = screen.getByTestId("pages-failed");
    expect(alert.querySelector("p")?.textContent).toBe(
      "Nicht gespeichert: Die Adresse konnte nicht in die Einstellungen übernommen werden.",
    );
    expect(alert.querySelector("summary")?.textContent).toBe("Technische Einzelheiten");
  });
});

describe("why", () => {
  it("shows a failing probe's steps and its transcript as text, in English and German", async () => {
    host("/provider/df");
    render(App, { lang: "en" });
    await settle();
    expect(screen.getByText("Why?")).toBeTruthy();
    expect(screen.getByText(/certificate valid 41 more days/)).toBeTruthy();
    const failed = [...document.querySelectorAll(".steps li.failed")].map((li) => li.textContent?.trim());
    expect(failed).toEqual(["✕ Login · 250 ms"]);
    const transcript = screen.getByTestId("transcript");
    expect(transcript.textContent).toContain("<b>Dovecot</b>");
    expect(transcript.querySelector("b")).toBeNull();
    expect(transcript.textContent).not.toMatch(/LOGIN info@example.com [^*]/);
    cleanup();
    host("/provider/df");
    render(App, { lang: "de" });
    await settle();
    expect(screen.getByText("Warum?")).toBeTruthy();
    expect(screen.getByText(/Zertifikat noch 41 Tage gültig/)).toBeTruthy();
  });
});

describe("why, for a page check", () => {
  it("names a page check's steps in words, the one that failed among them, in English and German", async () => {
    const page = {
      id: "df/http/https://webmail.df.eu/",
      kind: "http",
      target: "https://webmail.df.eu/",
      outcome: "down",
      reason: "content",
      message: "The page at webmail.df.eu does not say “Anmelden”",
      latency_ms: 95,
      cert_days_left: null,
      at: "2026-11-24T10:06:00+01:00",
      steps: [
        { name: "answer", millis: 80, ok: true },
        { name: "body", millis: 15, ok: true },
        { name: "content", millis: 0, ok: false },
      ],
      transcript: [],
    } as const;
    const withPage = (): Summary => ({
      ...summary,
      providers: summary.providers.map((p) => (p.id === "df" ? { ...p, checks: [...p.checks, { ...page, steps: [...page.steps], transcript: [] }] } : p)),
    });
    const shown = () => [...document.querySelectorAll(".steps li")].map((li) => li.textContent?.trim());
    host("/provider/df");
    currentSummary = withPage();
    render(App, { lang: "en" });
    await settle();
    expect(shown()).toEqual(expect.arrayContaining(["✓ The server's answer (HTTP status) · 80 ms", "✓ Load the page · 15 ms", "✕ Find the expected text · 0 ms"]));
    cleanup();
    host("/provider/df");
    currentSummary = withPage();
    render(App, { lang: "de" });
    await settle();
    expect(shown()).toEqual(expect.arrayContaining(["✓ Antwort des Servers (HTTP-Status) · 80 ms", "✓ Seite laden · 15 ms", "✕ Erwarteten Text finden · 0 ms"]));
  });
});

describe("general settings", () => {
  it("offers interval and reminder as choices and quiet hours as two times, saves them, and shows a refusal in words, in English", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByRole("button", { name: "Settings" }));
    await settle();
    const interval = screen.getByLabelText("Check every") as HTMLSelectElement;
    expect(interval.tagName).toBe("SELECT");
    expect(interval.value).toBe("2m");
    expect([...interval.options].map((o) => o.textContent)).toContain("5 minutes");
    const pick = async (select: HTMLSelectElement, value: string) => {
      const option = [...select.options].find((o) => o.value === value);
      if (option) option.selected = true;
      await fireEvent.change(select);
    };
    await pick(interval, "5m");
    await pick(screen.getByLabelText("Remind me of an ongoing problem every") as HTMLSelectElement, "8h");
    expect(screen.queryByTestId("quiet-from")).toBeNull();
    await fireEvent.click(screen.getByTestId("quiet-on"));
    const from = screen.getByLabelText("from") as HTMLInputElement;
    expect(from.type).toBe("time");
    await fireEvent.input(from, { target: { value: "21:30" } });
    await fireEvent.input(screen.getByLabelText("to"), { target: { value: "06:45" } });
    const language = screen.getByLabelText("Language") as HTMLSelectElement;
    await pick(language, "de");
    await fireEvent.click(screen.getByText("Save"));
    await settle();
    expect(general).toEqual({
      interval: "5m",
      language: "de",
      quiet_hours: "21:30-06:45",
      reminder: "8h",
      alert_states: null,
    });
    expect(screen.getByTestId("saved")).toBeTruthy();
    // The resident now speaks German: the page is drawn anew, and "Saved" is still said.
    await emit("summary", { ...summary, language: "de" });
    await settle();
    expect(screen.getByTestId("saved").textContent).toContain("Gespeichert");

    // A refusal in words; what the resident said (a path, the parser's English) only under
    // "Technical details".
    general = { ...general, interval: "5s" };
    cleanup();
    render(App, { lang: "en" });
    await settle();
    await emit("summary", { ...summary, language: "en" });
    await fireEvent.click(screen.getByRole("button", { name: "Settings" }));
    await settle();
    expect((screen.getByLabelText("Check every") as HTMLSelectElement).value).toBe("5s");
    await fireEvent.click(screen.getByText("Save"));
    await settle();
    const refusal = screen.getByTestId("settings-failed");
    expect(refusal.querySelector("p")?.textContent).toBe("The setting was not applied.");
    expect(refusal.querySelector("details")?.textContent).toContain("shorter than 10s");
    expect(screen.queryByTestId("saved")).toBeNull();
  });

  it("speaks German", async () => {
    host();
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByRole("button", { name: "Einstellungen" }));
    await settle();
    expect(screen.getByText("Allgemein")).toBeTruthy();
    expect(screen.getByLabelText("Prüfen alle")).toBeTruthy();
    expect(screen.getByText("Wie das System")).toBeTruthy();
  });
});

describe("which states alert", () => {
  const box = (name: string) => screen.getByLabelText(name) as HTMLInputElement;

  it("loads the default as all four ticked, saves a list when one is unticked and null when all are ticked again, in English", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByRole("button", { name: "Settings" }));
    await settle();
    const names = ["Major outage", "Partial outage", "Degraded", "Maintenance"];
    expect(names.map((n) => box(n).checked)).toEqual([true, true, true, true]);
    expect(screen.getByText(/A refused login to one of your mail accounts is always reported/)).toBeTruthy();

    await fireEvent.click(box("Maintenance"));
    await fireEvent.click(screen.getByText("Save"));
    await settle();
    expect(general.alert_states).toEqual(["major_outage", "partial_outage", "degraded"]);
    expect(general.interval).toBe("2m");
    expect(box("Maintenance").checked).toBe(false);

    await fireEvent.click(box("Maintenance"));
    await fireEvent.click(screen.getByText("Save"));
    await settle();
    expect(general.alert_states).toBeNull();

    for (const n of names) await fireEvent.click(box(n));
    await fireEvent.click(screen.getByText("Save"));
    await settle();
    // None ticked is an explicit empty list, not the default.
    expect(general.alert_states).toEqual([]);
  });

  it("loads an explicit list from the config and keeps it in order, in German", async () => {
    host();
    general = { ...general, alert_states: ["maintenance", "major_outage"] };
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByRole("button", { name: "Einstellungen" }));
    await settle();
    const names = ["Schwerer Ausfall", "Teilweiser Ausfall", "Beeinträchtigt", "Wartung"];
    expect(names.map((n) => box(n).checked)).toEqual([true, false, false, true]);
    expect(screen.getByText(/Eine abgelehnte Anmeldung .* wird immer gemeldet/)).toBeTruthy();
    await fireEvent.click(box("Teilweiser Ausfall"));
    await fireEvent.click(screen.getByText("Speichern"));
    await settle();
    expect(general.alert_states).toEqual(["major_outage", "partial_outage", "maintenance"]);
  });
});

describe("first start", () => {
  for (const [lang, title, lead, start] of [
    ["en", "Welcome to Outage Notifier", /^Outage Notifier tells you the moment/, "Choose from the list"],
    ["de", "Willkommen bei Outage Notifier", /^Outage Notifier meldet sich sofort/, "Aus der Liste wählen"],
  ] as const) {
    it(`greets with what the app does and leads to the first provider, in ${lang}`, async () => {
      host();
      mockSummary({ ...summary, providers: [] });
      render(App, { lang });
      await settle();
      expect(screen.getByRole("heading", { level: 1 }).textContent).toBe(title);
      expect(document.querySelector(".welcome .lead")?.textContent).toMatch(lead);
      // Nothing to check yet: no "Check now" that would do nothing.
      expect(screen.queryByTestId("headline")).toBeNull();
      await fireEvent.click(screen.getByText(start));
      await settle();
      expect(screen.getByLabelText(lang === "de" ? "Suchen" : "Search")).toBeTruthy();
    });
  }
});

describe("a provider's own settings", () => {
  it("renames it and sets its status page in place, in English", async () => {
    host("/provider/gh");
    render(App, { lang: "en" });
    await settle();
    await fireEvent.input(screen.getByTestId("provider-name"), { target: { value: "GitHub (work)" } });
    await fireEvent.input(screen.getByTestId("provider-page"), { target: { value: "https://www.githubstatus.com/" } });
    await fireEvent.click(screen.getByText("Save changes"));
    await settle();
    expect(editedProviders).toEqual([["gh", "GitHub (work)", "https://www.githubstatus.com/"]]);
    expect(screen.getByTestId("provider-saved").textContent).toBe("Saved.");
  });

  it("removes it, keeping its history unless asked to delete it, in German", async () => {
    host("/provider/gh");
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("Anbieter entfernen"));
    await settle();
    expect(screen.getByTestId("remove-confirm").textContent).toContain("GitHub entfernen?");
    const keep = screen.getByLabelText(/Verlauf behalten/) as HTMLInputElement;
    expect(keep.checked).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Entfernen" }));
    await settle();
    expect(removedProviders).toEqual([["gh", false]]);
    // Back at the overview.
    expect(screen.getByTestId("headline")).toBeTruthy();

    cleanup();
    host("/provider/gh");
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("Anbieter entfernen"));
    await settle();
    await fireEvent.click(screen.getByLabelText("Verlauf ebenfalls löschen"));
    await fireEvent.click(screen.getByRole("button", { name: "Entfernen" }));
    await settle();
    expect(removedProviders).toEqual([["gh", true]]);
  });
});

describe("quiet hours", () => {
  it("shows a banner while they last, in both languages", async () => {
    for (const [lang, text] of [
      ["en", /^Quiet hours until 25 Nov 2026, \d\d:\d\d: no notifications now/],
      ["de", /^Ruhezeit bis 25\.11\.2026, \d\d:\d\d: Sie erhalten keine Meldungen/],
    ] as const) {
      host();
      controls = { ...controls, quiet_until: "2026-11-25T07:00:00+01:00" };
      render(App, { lang });
      await settle();
      expect(screen.getByTestId("banner-quiet").textContent?.trim()).toMatch(text);
      cleanup();
      clearMocks();
    }
  });

  it("says when checks are running and when they ended", async () => {
    host();
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByText("Jetzt prüfen"));
    await settle();
    expect(screen.getByTestId("check-state").textContent).toContain("Wird geprüft");
    expect((screen.getByText("Jetzt prüfen") as HTMLButtonElement).disabled).toBe(true);
    finishCheck();
    await settle();
    expect(screen.getByTestId("check-state").textContent).toMatch(/^Geprüft um \d\d:\d\d\.$/);
  });
});

describe("export report", () => {
  it("exports the chosen period, providers and format where the dialog said, then offers to open it, in English", async () => {
    host();
    render(App, { lang: "en" });
    await settle();
    await fireEvent.click(screen.getByRole("button", { name: "Export report…" }));
    await fireEvent.change(screen.getByTestId("export-span"), { target: { value: "7" } });
    await fireEvent.click(screen.getByLabelText("GitHub"));
    await fireEvent.change(screen.getByTestId("export-format"), { target: { value: "pdf" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save as…" }));
    await settle();
    expect(screen.getByTestId("export-state").textContent).toContain("Making the report…");
    // The summary goes on while the report is made.
    mockSummary({ ...summary, providers: summary.providers.slice(1) });
    await emit("summary", { ...summary, providers: summary.providers.slice(1) });
    await settle();
    expect(screen.getByTestId("headline").textContent).toBe("All well");
    finishExport();
    await settle();
    expect(exports).toHaveLength(1);
    const request = exports[0];
    expect(request.providers).toEqual(["df"]);
    expect(request.format).toBe("pdf");
    expect(request.language).toBe("en");
    expect(request.path).toBe("/home/me/Nachweis.pdf");
    // The period is the last seven days up to now, in the user's own offset (not UTC's "Z").
    const span = Date.parse(request.to) - Date.parse(request.from);
    expect(span).toBe(7 * 86_400_000);
    expect(request.to).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(screen.getByTestId("export-done").textContent).toContain("The report is saved:");
    expect(screen.getByTestId("export-file").textContent).toBe("/home/me/Nachweis.pdf");
    expect((screen.getByTestId("export-span") as HTMLSelectElement).value).toBe("7");
    await fireEvent.click(screen.getByRole("button", { name: "Open" }));
    await settle();
    expect(openedReports).toEqual(["/home/me/Nachweis.pdf"]);
  });

  it("writes nothing when the dialog is cancelled, and says a refusal in words, in German", async () => {
    host("/provider/df");
    render(App, { lang: "de" });
    await settle();
    await fireEvent.click(screen.getByRole("button", { name: "Nachweis exportieren…" }));
    savePath = null;
    await fireEvent.click(screen.getByRole("button", { name: "Speichern unter…" }));
    await settle();
    expect(exports).toHaveLength(0);
    savePath = "/nope/x.pdf";
    exportProblem = "unwritable";
    await fireEvent.click(screen.getByRole("button", { name: "Speichern unter…" }));
    await settle();
    finishExport();
    await settle();
    // From the detail, the report is this provider's, in the window's language.
    expect(exports[0].providers).toEqual(["df"]);
    expect(exports[0].language).toBe("de");
    const failure = screen.getByTestId("export-failure");
    expect(failure.querySelector("p")?.textContent).toBe(
      "Der Nachweis konnte dort nicht gespeichert werden. Bitte einen anderen Ordner oder Namen wählen.",
    );
    // The resident's own sentence stays under the closed "Technical details".
    expect(failure.querySelector("details")?.open).toBe(false);
    expect(screen.queryByTestId("export-done")).toBeNull();
  });
});
