// The round trip in a provider's detail: last delivery, mails on their way, delivery times,
// late and lost mails — in words, in both languages, never as a raw value.
import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { mockIPC } from "@tauri-apps/api/mocks";
import RoundtripPanel from "./RoundtripPanel.svelte";
import type { RoundtripView } from "./bindings/RoundtripView";
import { initI18n } from "./i18n";
import { cleanHostEachTest, settle } from "./testing";

const view: RoundtripView = {
  check_id: "df/roundtrip/sslout.df.eu/info@example.com",
  to: "info@example.com",
  route: "sslout.df.eu → sslin.df.eu",
  removed: false,
  interval_s: 900,
  warn_after_s: 300,
  fail_after_s: 1800,
  last_delivery: { sent: "2026-12-05T09:00:00+01:00", seen: "2026-12-05T09:01:00+01:00", delay_ms: 432_000, fate: "late" },
  on_the_way: [
    { sent: "2026-12-05T09:15:00+01:00", seen: null, delay_ms: null, fate: "lost" },
    { sent: "2026-12-05T10:00:00+01:00", seen: null, delay_ms: null, fate: "on_its_way" },
  ],
  days: [{ day: "2026-12-05", sent: 3, average_ms: 432_000, longest_ms: 432_000, late: 1, lost: 1 }],
  recent: [{ sent: "2026-12-05T09:00:00+01:00", seen: "2026-12-05T09:07:12+01:00", delay_ms: 432_000, fate: "late" }],
  trouble: [
    { sent: "2026-12-05T09:15:00+01:00", seen: null, delay_ms: null, fate: "lost" },
    { sent: "2026-12-05T09:00:00+01:00", seen: "2026-12-05T09:07:12+01:00", delay_ms: 432_000, fate: "late" },
  ],
};

cleanHostEachTest();

describe.each([
  ["en", "Last delivered: sent", "after 7 min 12 s", "lost (not arrived)", "on its way", "not arrived", "late — arrived"],
  ["de", "Zuletzt zugestellt: gesendet", "nach 7 min 12 s", "verloren (nicht angekommen)", "unterwegs", "nicht angekommen", "verspätet — angekommen"],
] as const)("round trip in the detail (%s)", (lang, last, after, lost, onItsWay, notArrived, late) => {
  it("shows the last delivery, the mails on their way, the delivery times and the late and lost mails", async () => {
    const asked: string[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "provider_roundtrips") {
        asked.push((args as { providerId: string }).providerId);
        return [view];
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    await initI18n(lang);
    render(RoundtripPanel, { providerId: "df", revision: "1", lang });
    await settle();
    expect(asked).toEqual(["df"]);
    const text = (id: string) => (screen.getByTestId(id).textContent ?? "").replace(/\s+/g, " ");
    expect(text("roundtrip-last")).toContain(last);
    expect(text("roundtrip-last")).toContain(after);
    expect(text("roundtrip-on-the-way")).toContain(lost);
    expect(text("roundtrip-on-the-way")).toContain(onItsWay);
    expect(text("roundtrip-trouble")).toContain(notArrived);
    expect(text("roundtrip-trouble")).toContain(late);
    // No canvas here: the table is the view.
    expect(text("delivery-table")).toContain("7 min 12 s");
    const all = document.body.textContent ?? "";
    for (const raw of ["on_its_way", "login_refused", "interval_s", "roundtrip."]) expect(all).not.toContain(raw);
  });
});

describe.each([
  ["en", "Removed round trip smtp.old.test → sslin.df.eu", "lost (not arrived)"],
  ["de", "Entfernte Zustellprüfung smtp.old.test → sslin.df.eu", "verloren (nicht angekommen)"],
] as const)("a removed round trip in the detail (%s)", (lang, removed, lost) => {
  it("keeps its late and lost mails listed, named by its route, and nothing else of it", async () => {
    const gone: RoundtripView = {
      ...view,
      check_id: "df/roundtrip/smtp.old.test/info@example.com",
      route: "smtp.old.test → sslin.df.eu",
      removed: true,
      on_the_way: [],
      trouble: [{ sent: "2026-12-04T09:15:00+01:00", seen: null, delay_ms: null, fate: "lost" }],
    };
    mockIPC((cmd) => {
      if (cmd === "provider_roundtrips") return [gone];
      throw new Error(`unexpected command ${cmd}`);
    });
    await initI18n(lang);
    render(RoundtripPanel, { providerId: "df", revision: "", lang });
    await settle();
    const text = (id: string) => (screen.getByTestId(id).textContent ?? "").replace(/\s+/g, " ");
    expect(text("roundtrip-removed")).toContain(removed);
    expect(text("roundtrip-removed-trouble")).toContain(lost);
    expect(screen.queryByTestId("roundtrip-last")).toBeNull();
    expect(screen.queryByTestId("delivery-table")).toBeNull();
  });
});
