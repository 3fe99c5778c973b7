// The first step, "Your email address", with the host mocked at the IPC boundary, in English
// and German: what discovery found and where from, servers on other domains never chosen,
// nothing probed before the confirmation, and one confirmation adding the provider with its
// chosen servers (and the login, if wanted); nothing found leads to the manual form.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { mockIPC } from "@tauri-apps/api/mocks";
import App from "./App.svelte";
import type { Discovery } from "./bindings/Discovery";
import type { NewProvider } from "./bindings/NewProvider";
import type { Summary } from "./bindings/Summary";
import de from "./locales/de.json";
import en from "./locales/en.json";
import { cleanHostEachTest, settle } from "./testing";

const empty: Summary = { checked_at: "2026-11-24T10:06:00+01:00", network: "online", language: "en", storage: null, providers: [] };

// IONOS by its MX record; its documented servers; the domain's autoconfig file naming IONOS's
// IMAP server too, and a server on a stranger's domain.
const ionos: Discovery = {
  domain: "meine-firma.de",
  mx: ["mx00.kundenserver.de"],
  provider: {
    preset: "ionos",
    name: "IONOS",
    by: "mx",
    host: "mx00.kundenserver.de",
    status_page: "https://www.ionos-status.de/",
  },
  servers: [
    { kind: "imap", host: "imap.ionos.de", port: 993, tls: "implicit", origins: ["autoconfig", "catalog"], standing: "provider", selected: true },
    { kind: "imap", host: "imap.collector.test", port: 993, tls: "implicit", origins: ["autoconfig"], standing: "elsewhere", selected: false },
    { kind: "smtp", host: "smtp.ionos.de", port: 465, tls: "implicit", origins: ["catalog"], standing: "provider", selected: true },
  ],
  notices: [{ kind: "servers_elsewhere", count: 1 }],
};

const nothing: Discovery = { domain: "leer.test", mx: [], provider: null, servers: [], notices: [{ kind: "nothing_found" }] };

let calls: string[] = [];
let asked: string[] = [];
let added: Array<{ provider: NewProvider; password: string | null }> = [];

function host(found: Discovery) {
  calls = [];
  asked = [];
  added = [];
  mockIPC((cmd, args) => {
    calls.push(cmd);
    if (cmd === "controls") return { paused_until: null, quiet_until: null, snoozed: [], muted: [], autostart: false, language: null };
    if (cmd === "take_route") return null;
    if (cmd === "summary") return empty;
    if (cmd === "catalog") {
      return [{ id: "ionos", name: "IONOS", aliases: [], status_page: "https://www.ionos-status.de/", status_note: null, status_verified: false, mail: [] }];
    }
    if (cmd === "discover") {
      asked.push((args as { address: string }).address);
      return found;
    }
    if (cmd === "add_provider") {
      added.push(args as { provider: NewProvider; password: string | null });
      return null;
    }
    if (cmd === "plugin:event|listen") return 1;
    return null;
  });
}

cleanHostEachTest();

async function look(address: string, texts: typeof en) {
  await fireEvent.input(screen.getByTestId("discover-address"), { target: { value: address } });
  await fireEvent.click(screen.getByRole("button", { name: texts.discover.look }));
  await settle();
}

const boxes = () => [...document.querySelectorAll<HTMLInputElement>("[data-testid=discover-server] input[type=checkbox]")];

describe("the first step: your email address", () => {
  for (const [lang, texts] of [
    ["en", en],
    ["de", de],
  ] as const) {
    it(`opens at the first start, says what the app does and finds the provider, in ${lang}`, async () => {
      host(ionos);
      render(App, { lang });
      await settle();
      expect(screen.getByRole("heading", { level: 1 }).textContent).toBe(texts.welcome.title);
      expect(document.querySelector(".welcome .lead")?.textContent).toBe(texts.welcome.lead);
      expect(screen.getByRole("heading", { level: 2, name: texts.discover.title })).toBeTruthy();

      await look(" info@Meine-Firma.de ", texts);
      expect(asked).toEqual(["info@Meine-Firma.de"]);
      const provider = screen.getByTestId("discover-provider").textContent ?? "";
      expect(provider).toContain(texts.discover.hostedBy.replace("{{name}}", "IONOS"));
      expect(provider).toContain(`${texts.discover.origin.mx}: mx00.kundenserver.de`);
      const page = screen.getByTestId("discover-status-page").textContent ?? "";
      expect(page).toContain("www.ionos-status.de");
      expect(page).toContain(texts.add.notVerified);

      // Each server says where it was found and whose it is; the stranger's is not chosen.
      const rows = screen.getAllByTestId("discover-server").map((r) => r.textContent ?? "");
      expect(rows[0]).toContain(`${texts.discover.origin.autoconfig}, ${texts.discover.origin.catalog}`);
      expect(rows[0]).toContain(texts.discover.standing.provider.replace("{{name}}", "IONOS"));
      expect(rows[1]).toContain("imap.collector.test:993");
      expect(rows[1]).toContain(texts.discover.standing.elsewhere);
      expect(boxes().map((b) => b.checked)).toEqual([true, false, true]);
      expect(screen.getAllByTestId("discover-notice")[0].textContent).toBe(texts.discover.notice.servers_elsewhere_one);
      // No raw value of the discovery reaches the page.
      for (const raw of ["elsewhere", "autoconfig", "catalog", "implicit", "servers_elsewhere"]) {
        expect(document.body.textContent).not.toContain(raw);
      }
      // Looking probes nothing and adds nothing.
      expect(calls.filter((c) => !["controls", "take_route", "summary", "catalog", "discover"].includes(c) && !c.startsWith("plugin:"))).toEqual([]);

      await fireEvent.click(screen.getByTestId("discover-confirm"));
      await settle();
      expect(added).toHaveLength(1);
      const { provider: p, password } = added[0];
      expect([p.id, p.preset, p.name, p.status_page, password]).toEqual(["ionos", "ionos", null, null, null]);
      expect(p.mail.map((m) => `${m.kind} ${m.host}:${m.port} ${m.tls} ${m.username}`)).toEqual([
        "imap imap.ionos.de:993 implicit null",
        "smtp smtp.ionos.de:465 implicit null",
      ]);
      expect(screen.getByTestId("discover-added").textContent).toBe(texts.discover.added);
    });
  }

  it("adds a server on another domain only when the user ticks it, with the login", async () => {
    host(ionos);
    render(App, { lang: "de" });
    await settle();
    await look("info@meine-firma.de", de);
    await fireEvent.click(boxes()[1]);
    await fireEvent.click(boxes()[2]);
    await fireEvent.click(screen.getByTestId("discover-login"));
    await fireEvent.input(screen.getByLabelText(de.mail.password), { target: { value: "geheim" } });
    const confirm = screen.getByTestId("discover-confirm");
    expect(confirm.textContent?.trim()).toBe("IONOS mit 2 Mailservern hinzufügen");
    await fireEvent.click(confirm);
    await settle();
    const { provider: p, password } = added[0];
    expect(p.mail.map((m) => `${m.host} ${m.username}`)).toEqual([
      "imap.ionos.de info@meine-firma.de",
      "imap.collector.test info@meine-firma.de",
    ]);
    expect(password).toBe("geheim");
  });

  it("refuses what is no address, without asking the resident", async () => {
    host(ionos);
    render(App, { lang: "de" });
    await settle();
    await look("info@", de);
    expect(screen.getByTestId("discover-invalid").textContent).toBe(de.discover.invalid);
    expect(asked).toEqual([]);
  });

  it("leads from nothing found to the form for the servers", async () => {
    host(nothing);
    render(App, { lang: "en" });
    await settle();
    await look("info@leer.test", en);
    expect(screen.getByTestId("discover-notice").textContent).toBe(en.discover.notice.nothing_found);
    expect(screen.queryByTestId("discover-confirm")).toBeNull();
    await fireEvent.click(screen.getByTestId("discover-manual"));
    await settle();
    await fireEvent.input(screen.getByTestId("mail-host"), { target: { value: "mail.leer.test" } });
    await fireEvent.submit(document.querySelector("form.mail-form")!);
    await settle();
    expect(added).toHaveLength(1);
    const p = added[0].provider;
    expect([p.id, p.name, p.preset]).toEqual(["leer-test", "leer.test", null]);
    expect(p.mail.map((m) => `${m.kind} ${m.host} ${m.port} ${m.tls}`)).toEqual(["imap mail.leer.test null implicit"]);
    expect(screen.getByTestId("discover-added").textContent).toBe(en.discover.added);
  });
});
